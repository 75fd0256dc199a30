using AutoDev.EntityFrameworkCore;
using AutoDev.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests;

/// <summary>
/// What PostgreSQL refuses that Core does not check (a NUL in a proposal's code written straight to the store) comes
/// out as AutoDev's typed error, through both write paths of the EF stores: SaveChanges and the hot paths' raw SQL.
/// </summary>
[Trait("Requires", "postgres")]
public sealed class PostgresErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NulInText_ThroughRawInsertAndThroughSaveChanges_IsArgumentException()
    {
        var problem = await Databases.PostgresUnavailableAsync();
        ServiceRequirement.Require(problem is null, problem ?? string.Empty);
        var connection = await Databases.CreatePostgresDatabaseAsync("errors");
        var services = new ServiceCollection();
        services.AddAutoDev().AddPostgreSqlStores(connection);
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IAutoDevDatabase>().MigrateAsync(Ct);
        var candidates = provider.GetRequiredService<ISkillCandidateStore>();
        var candidate = new SkillCandidate { TenantId = "t", AgentId = "a", Name = "f", EntryPoint = "f", PatternKey = "p", Code = "def f():\n    return '\0'\n" };

        // The add is a raw INSERT; the update goes through SaveChanges.
        var inserted = await Assert.ThrowsAsync<ArgumentException>(async () => await candidates.AddAsync(candidate, Ct));
        var clean = (await candidates.AddAsync(candidate with { Id = Guid.NewGuid(), Code = "def f():\n    return 1\n" }, Ct)).Entity;
        var updated = await Assert.ThrowsAsync<ArgumentException>(async () => await candidates.UpdateAsync(clean with { FailureReason = "bad\0" }, Ct));

        Assert.Contains("22021", inserted.Message, StringComparison.Ordinal);
        Assert.Contains("22021", updated.Message, StringComparison.Ordinal);
        Assert.Null((await candidates.FindAsync("t", clean.Id, Ct))!.FailureReason);
        Assert.Null(await candidates.FindAsync("t", candidate.Id, Ct));
    }
}
