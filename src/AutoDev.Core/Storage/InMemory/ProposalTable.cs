namespace AutoDev.Storage;

/// <summary>
/// The proposals of one kind (skill candidates or tool mutations) in memory, by tenant and id, with the index of the
/// open ones by key (a candidate's failure pattern, a mutation's parent version and trigger). The caller holds
/// <see cref="InMemoryStoreHelpers.LearningLock"/>.
/// </summary>
/// <typeparam name="T">The proposal type.</typeparam>
/// <param name="entity">The entity name errors give.</param>
/// <param name="openKey">The key an open proposal holds, or <see langword="null"/> when it is not open.</param>
/// <remarks>An update is checked against the stored concurrency stamp only: the proposal's own transition methods decide its status.</remarks>
internal sealed class ProposalTable<T>(string entity, Func<T, string?> openKey)
    where T : Proposal
{
    private readonly Dictionary<(string Tenant, Guid Id), T> _rows = [];
    private readonly Dictionary<(string Tenant, string Key), Guid> _open = [];

    public IEnumerable<T> All => _rows.Values;

    public T? Find(string tenantId, Guid id) => _rows.GetValueOrDefault((tenantId, id));

    public T? FindOpen(string tenantId, string key) => _open.TryGetValue((tenantId, key), out var id) ? _rows[(tenantId, id)] : null;

    public bool Contains(string tenantId, Guid id) => _rows.ContainsKey((tenantId, id));

    /// <summary>Adds the proposal with a new stamp, or finds the open one that holds its key.</summary>
    /// <exception cref="DuplicateEntityException">Its id is taken in the workspace.</exception>
    public AddResult<T> Add(T proposal)
    {
        if (openKey(proposal) is { } key && FindOpen(proposal.TenantId, key) is { } open)
        {
            return new(open, false);
        }

        var stored = Stamped(proposal);
        if (!_rows.TryAdd((proposal.TenantId, proposal.Id), stored))
        {
            throw new DuplicateEntityException(entity, proposal.TenantId, proposal.Id.ToString());
        }

        Index(null, stored);
        return new(stored, true);
    }

    /// <summary>Throws what an update of <paramref name="proposal"/> would throw.</summary>
    public void Check(T proposal)
    {
        var stored = Find(proposal.TenantId, proposal.Id) ?? throw new EntityNotFoundException(entity, proposal.TenantId, proposal.Id);
        ConcurrencyStamps.EnsureCurrent(entity, proposal.Id, stored.ConcurrencyStamp, proposal.ConcurrencyStamp);
    }

    /// <summary>Saves a checked update with a new stamp.</summary>
    public T Apply(T proposal)
    {
        var key = (proposal.TenantId, proposal.Id);
        var stored = _rows[key];
        var updated = Stamped(proposal);
        _rows[key] = updated;
        Index(stored, updated);
        return updated;
    }

    private static T Stamped(T proposal) => (T)((Proposal)proposal with { ConcurrencyStamp = Guid.NewGuid() });

    private void Index(T? before, T after)
    {
        if (before is not null && openKey(before) is { } old && _open.GetValueOrDefault((before.TenantId, old)) == before.Id)
        {
            _open.Remove((before.TenantId, old));
        }

        if (openKey(after) is { } key)
        {
            _open[(after.TenantId, key)] = after.Id;
        }
    }
}
