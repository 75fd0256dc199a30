namespace AutoDev.Storage;

/// <summary>Acceptance cases in memory, per workspace and skill. Lost when the process ends.</summary>
public sealed class InMemoryAcceptanceCaseStore : IAcceptanceCaseStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, string Skill), List<AcceptanceCase>> _bySkill = [];

    /// <inheritdoc/>
    public ValueTask<AddResult<AcceptanceCase>> AddAsync(AcceptanceCase acceptanceCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(acceptanceCase);
        Internal.Guard.Id(acceptanceCase.TenantId, nameof(acceptanceCase.TenantId));
        lock (_lock)
        {
            var key = (acceptanceCase.TenantId, acceptanceCase.SkillName);
            if (!_bySkill.TryGetValue(key, out var list))
            {
                _bySkill[key] = list = [];
            }

            if (list.Find(c => c.Case.InputsJson == acceptanceCase.Case.InputsJson) is { } existing)
            {
                return new(new AddResult<AcceptanceCase>(existing, false));
            }

            list.Add(acceptanceCase);
            return new(new AddResult<AcceptanceCase>(acceptanceCase, true));
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<AcceptanceCase> ListAsync(string tenantId, string skillName, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return InMemoryStoreHelpers.ToAsync(_bySkill.GetValueOrDefault((tenantId, skillName))?.ToList() ?? [], cancellationToken);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> RemoveAsync(string tenantId, Guid caseId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var ((tenant, _), list) in _bySkill)
            {
                if (tenant == tenantId && list.RemoveAll(c => c.Id == caseId) > 0)
                {
                    return new(true);
                }
            }

            return new(false);
        }
    }
}
