using System.Text.Json;
using static AutoDev.Tests.Mcp.McpServerHost;

namespace AutoDev.Tests.Mcp;

/// <summary>The autodev tool's operator commands, end to end on a SQLite file and a PostgreSQL database another AutoDev process writes, and against that process's running API.</summary>
public sealed class AutodevCliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The tool on a SQLite file, on PostgreSQL, and against a running API over each.</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task AnOperator_ListsShowsAndApprovesACandidate_ThenReadsAndMovesTheSkill(bool onPostgres, bool overTheApi)
    {
        await using var store = await AutodevTool.CreateStoreAsync(onPostgres ? AutodevTool.StoreKind.PostgreSql : AutodevTool.StoreKind.Sqlite);
        var candidate = await ImportedCandidateAsync(store);
        var target = overTheApi ? store.Api : store.Store;
        string[] at = ["--workspace", Acme, .. target];

        var queue = await AutodevTool.RunAsync(["review", "list", .. at, "--json"]);
        var shown = await AutodevTool.RunAsync(["review", "show", candidate.Id.ToString(), .. at]);
        var approved = await AutodevTool.RunAsync(["review", "approve", candidate.Id.ToString(), "--reason", "counts right", "--reviewer", "alice", .. at]);
        var skills = await AutodevTool.RunAsync(["skills", "list", .. at]);
        var lineage = await AutodevTool.RunAsync(["skills", "lineage", "count_words", .. at, "--json"]);
        var agents = await AutodevTool.RunAsync(["agents", "list", .. at, "--json"]);
        var package = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.zip");
        try
        {
            var exported = await AutodevTool.RunAsync(["skills", "export", "count_words", package, .. at]);
            var imported = await AutodevTool.RunAsync(["skills", "import", package, "--workspace", Globex, .. target, "--json"]);

            Assert.True(exported.ExitCode == 0, exported.Error);
            Assert.True(new FileInfo(package).Length > 0);
            Assert.True(imported.ExitCode == 0, imported.Error);
            Assert.Equal("Validated", JsonDocument.Parse(imported.Output).RootElement.GetProperty("status").GetString());
        }
        finally
        {
            File.Delete(package);
        }

        Assert.True(queue.ExitCode == 0, queue.Error);
        Assert.Equal(candidate.Id, Assert.Single(JsonDocument.Parse(queue.Output).RootElement.GetProperty("candidates").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Contains("count_words", shown.Output, StringComparison.Ordinal);
        Assert.Contains("return len(text.split())", shown.Output, StringComparison.Ordinal);
        Assert.True(approved.ExitCode == 0, approved.Error);
        Assert.Contains("1.0.0", approved.Output, StringComparison.Ordinal);

        // On a store, --reviewer decides; over the API, the signed-in user (here this machine's, as no policy is set).
        Assert.Equal(overTheApi ? $"{Environment.UserName} (local)" : "alice", (await store.Get<ISkillCandidateStore>().FindAsync(Acme, candidate.Id, Ct))!.ReviewedBy);
        Assert.Matches(@"SKILL\s+ACTIVE\s+DESCRIPTION\s*\n-+.*\ncount_words\s+1\.0\.0\s+Counts words", skills.Output.ReplaceLineEndings("\n"));
        Assert.Equal("1.0.0", JsonDocument.Parse(lineage.Output).RootElement.GetProperty("self").GetProperty("version").GetString());
        Assert.True(agents.ExitCode == 0, agents.Error);
        Assert.Empty(JsonDocument.Parse(agents.Output).RootElement.EnumerateArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MistakesGetExitCodesScriptsCanUse_AndChangeNothing(bool overTheApi)
    {
        await using var store = await AutodevTool.CreateStoreAsync();
        var candidate = await ImportedCandidateAsync(store);
        var target = overTheApi ? store.Api : store.Store;
        string[] at = ["--workspace", Acme, .. target];

        var unknownCandidate = await AutodevTool.RunAsync(["review", "approve", Guid.NewGuid().ToString(), .. at]);
        var unknownWorkspace = await AutodevTool.RunAsync(["skills", "list", "--workspace", "nowhere", .. target]);
        var noReason = await AutodevTool.RunAsync(["review", "reject", candidate.Id.ToString(), .. at]);
        var rejected = await AutodevTool.RunAsync(["review", "reject", candidate.Id.ToString(), "--reason", "not needed", .. at]);
        var approveRejected = await AutodevTool.RunAsync(["review", "approve", candidate.Id.ToString(), .. at]);
        var badVersion = await AutodevTool.RunAsync(["skills", "rollback", "count_words", "one", .. at]);
        var unknownSkill = await AutodevTool.RunAsync(["skills", "show", "nothing", .. at]);
        var help = await AutodevTool.RunAsync(["skills", "rollback", "--help"]);
        var usage = await AutodevTool.RunAsync(["usage", .. at]);

        Assert.Equal(3, unknownCandidate.ExitCode);
        Assert.Contains("No SkillCandidate with id", unknownCandidate.Error, StringComparison.Ordinal);
        Assert.Equal(3, unknownWorkspace.ExitCode);
        Assert.Equal(1, noReason.ExitCode);
        Assert.Contains("--reason", noReason.Error, StringComparison.Ordinal);
        Assert.True(rejected.ExitCode == 0, rejected.Error);
        Assert.Equal(4, approveRejected.ExitCode);
        Assert.Equal(1, badVersion.ExitCode);
        Assert.Equal(3, unknownSkill.ExitCode);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Makes an earlier version active again.", help.Output, StringComparison.Ordinal);
        Assert.Contains("--url", help.Output, StringComparison.Ordinal);
        Assert.Matches($@"model tokens\s+0\s+{WorkspaceSettings.DefaultDailyTokenBudget}", usage.Output);
        Assert.Matches($@"mutations\s+0\s+{WorkspaceSettings.Default.MaxMutationsPerDay}", usage.Output);
        Assert.Empty(await store.Get<ISkillRegistry>().ListAsync(Acme, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task AgainstAnApiThatSignsUsersIn_TheTokensUserReviews_AndSeesOnlyTheirWorkspaces()
    {
        await using var store = await AutodevTool.CreateStoreAsync(signIn: true);
        var candidate = await ImportedCandidateAsync(store);

        var anonymous = await AutodevTool.RunAsync(["review", "list", "--workspace", Acme, .. store.Api]);
        var otherWorkspace = await AutodevTool.RunAsync(["review", "list", "--workspace", Globex, .. store.Api, "--token", "bob;acme"]);
        var approved = await AutodevTool.RunAsync(["review", "approve", candidate.Id.ToString(), "--reviewer", "mallory", "--workspace", Acme, .. store.Api, "--token", "bob;acme"]);

        Assert.Equal(5, anonymous.ExitCode);
        Assert.Contains("401", anonymous.Error, StringComparison.Ordinal);
        Assert.Equal(3, otherWorkspace.ExitCode);
        Assert.True(approved.ExitCode == 0, approved.Error);
        Assert.Equal("bob", (await store.Get<ISkillCandidateStore>().FindAsync(Acme, candidate.Id, Ct))!.ReviewedBy);
    }

    [Fact]
    public async Task AStoreOrApiThatIsNotThere_TwoTargets_OrARelativeAddress_AreSaidPlainly()
    {
        var unreachable = await AutodevTool.RunAsync(["usage", "--workspace", Acme, "--url", "http://127.0.0.1:9/autodev"]);
        var two = await AutodevTool.RunAsync(["usage", "--workspace", Acme, "--url", "http://127.0.0.1:9/autodev", "--postgres", "Host=x"]);
        var relative = await AutodevTool.RunAsync(["usage", "--workspace", Acme, "--url", "autodev"]);
        var noServer = await AutodevTool.RunAsync(["usage", "--workspace", Acme, "--postgres", "Host=127.0.0.1;Port=9;Username=postgres;Timeout=2"]);
        var notAutoDev = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.db");
        await File.WriteAllBytesAsync(notAutoDev, [], Ct);
        var notAnAutoDevFile = await AutodevTool.RunAsync(["usage", "--workspace", Acme, "--sqlite", notAutoDev]);
        File.Delete(notAutoDev);

        Assert.Equal(6, unreachable.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(unreachable.Error));
        Assert.Equal(1, two.ExitCode);
        Assert.Contains("Name one AutoDev store or API", two.Error, StringComparison.Ordinal);
        Assert.Equal(1, relative.ExitCode);
        Assert.Contains("absolute http or https", relative.Error, StringComparison.Ordinal);
        Assert.Equal(6, noServer.ExitCode);
        Assert.Equal(6, notAnAutoDevFile.ExitCode);
        Assert.Contains("no such table", notAnAutoDevFile.Error, StringComparison.Ordinal);
    }

    /// <summary>A candidate waiting for review in acme: count_words, written in the lab workspace and imported as a package.</summary>
    private static async Task<SkillCandidate> ImportedCandidateAsync(AutodevTool.StoreHost store)
    {
        await store.Get<IWorkspaceStore>().SaveSettingsAsync(Lab, new WorkspaceSettings { Enabled = true }, Ct);
        await store.Get<IWorkspaceStore>().SaveSettingsAsync(Globex, new WorkspaceSettings { Enabled = true }, Ct);
        var registry = store.Get<ISkillRegistry>();
        await registry.RegisterAsync(Lab, "count_words", "def count_words(text: str) -> int:\n    \"Counts the words.\"\n    return len(text.split())\n", "count_words", """[{"inputs": {"text": "a b c"}, "expected": 3}]""", "Counts words", Ct);
        using var package = new MemoryStream();
        await registry.ExportAsync(Lab, "count_words", package, Ct);
        package.Position = 0;
        var candidate = await registry.ImportAsync(Acme, package, cancellationToken: Ct);
        Assert.True(candidate.Status == SkillCandidateStatus.Validated, candidate.FailureReason);
        return candidate;
    }
}
