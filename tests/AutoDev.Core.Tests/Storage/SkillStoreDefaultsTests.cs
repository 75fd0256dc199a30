using AutoDev.Storage;

namespace AutoDev.Tests.Storage;

/// <summary>What <see cref="ISkillStore"/> gives a third-party store that implements only the required members.</summary>
public sealed class SkillStoreDefaultsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FindVersionsAsync_ByDefault_ReadsEachIdOnce_AndLeavesOutUnknownOnes()
    {
        var inner = new InMemorySkillStore();
        var skill = new Skill { TenantId = "acme", Name = "count_words", Description = "Counts words." };
        var version = new SkillVersion { TenantId = "acme", SkillId = skill.Id, Version = SemanticVersion.Initial, Code = "def count_words(text):\n    return len(text.split())\n", EntryPoint = "count_words" };
        await inner.AddAsync(skill, version, Ct);
        var store = new OnlyRequiredMembers(inner);

        var found = await ((ISkillStore)store).FindVersionsAsync("acme", [version.Id, version.Id, Guid.NewGuid()], Ct).ToListAsync(Ct);

        Assert.Equal(version.Id, Assert.Single(found).Id);
        Assert.Equal(2, store.FindVersionCalls);
    }

    /// <summary>A store with no optional member of its own: each call goes to <paramref name="inner"/>.</summary>
    private sealed class OnlyRequiredMembers(ISkillStore inner) : ISkillStore
    {
        public int FindVersionCalls { get; private set; }

        public ValueTask<Skill> AddAsync(Skill skill, SkillVersion firstVersion, CancellationToken cancellationToken) => inner.AddAsync(skill, firstVersion, cancellationToken);

        public ValueTask<Skill?> FindAsync(string tenantId, Guid skillId, CancellationToken cancellationToken) => inner.FindAsync(tenantId, skillId, cancellationToken);

        public ValueTask<Skill?> FindByNameAsync(string tenantId, string name, CancellationToken cancellationToken) => inner.FindByNameAsync(tenantId, name, cancellationToken);

        public IAsyncEnumerable<Skill> ListAsync(string tenantId, CancellationToken cancellationToken) => inner.ListAsync(tenantId, cancellationToken);

        public ValueTask<SkillVersion> AddVersionAsync(SkillVersion version, bool activate, CancellationToken cancellationToken) => inner.AddVersionAsync(version, activate, cancellationToken);

        public ValueTask<SkillVersion?> FindVersionAsync(string tenantId, Guid versionId, CancellationToken cancellationToken)
        {
            FindVersionCalls++;
            return inner.FindVersionAsync(tenantId, versionId, cancellationToken);
        }

        public IAsyncEnumerable<SkillVersion> ListVersionsAsync(string tenantId, Guid skillId, CancellationToken cancellationToken) => inner.ListVersionsAsync(tenantId, skillId, cancellationToken);

        public ValueTask<Skill> SetActiveVersionAsync(string tenantId, Guid skillId, Guid versionId, CancellationToken cancellationToken) => inner.SetActiveVersionAsync(tenantId, skillId, versionId, cancellationToken);

        public ValueTask<Lineage<SkillVersion>> GetLineageAsync(string tenantId, Guid versionId, CancellationToken cancellationToken) => inner.GetLineageAsync(tenantId, versionId, cancellationToken);

        public ValueTask<Skill> PromoteAsync(SkillPromotion promotion, CancellationToken cancellationToken) => inner.PromoteAsync(promotion, cancellationToken);
    }
}
