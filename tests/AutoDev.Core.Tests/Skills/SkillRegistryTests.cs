using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests.Skills;

public sealed class SkillRegistryTests
{
    private const string Tests = """[{"inputs": {"x": 1}, "expected": 2}]""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rollback_RestoresTheEarlierVersionsCode_AndLineageStaysWhole()
    {
        await using var services = TestHost.Create();
        var registry = services.GetRequiredService<ISkillRegistry>();
        var (skill, first) = await AddSkillAsync(services, "acme", "def inc(x):\n    return x + 1");
        var second = await services.GetRequiredService<ISkillStore>().AddVersionAsync(new SkillVersion
        {
            TenantId = "acme",
            SkillId = skill.Id,
            Version = first.Version.NextMinor(),
            Code = "def inc(x):\n    return 1 + x",
            EntryPoint = "inc",
            ParentVersionId = first.Id,
        }, activate: true, Ct);

        await registry.RollbackAsync("acme", "inc", SemanticVersion.Initial, Ct);

        var details = (await registry.FindAsync("acme", "inc", Ct))!;
        Assert.Equal(first.Code, details.ActiveVersion.Code);
        Assert.Equal([first.Id, second.Id], details.Versions.Select(v => v.Id));
        var lineage = await registry.GetLineageAsync("acme", "inc", new SemanticVersion(1, 1, 0), Ct);
        Assert.Equal([first.Id], lineage.Ancestors.Select(v => v.Id));
        await Assert.ThrowsAsync<EntityNotFoundException>(() => registry.RollbackAsync("acme", "inc", new SemanticVersion(9, 0, 0), Ct));
        await Assert.ThrowsAsync<EntityNotFoundException>(() => registry.RollbackAsync("other", "inc", SemanticVersion.Initial, Ct));
    }

    [Fact]
    public async Task ExportThenImport_IntoAnotherWorkspace_WaitsForReview_ThenKeepsCodeTestsAndVersion()
    {
        await using var services = TestHost.Create();
        var registry = services.GetRequiredService<ISkillRegistry>();
        await AddSkillAsync(services, "acme", "def inc(x):\n    return x + 1");
        using var package = new MemoryStream();

        await registry.ExportAsync("acme", "inc", package, Ct);
        package.Position = 0;
        var imported = await registry.ImportAsync("globex", package, cancellationToken: Ct);

        Assert.True(imported.Status == SkillCandidateStatus.Validated, imported.FailureReason);
        Assert.Equal((SkillRegistry.ImportAgentId, SemanticVersion.Initial), (imported.AgentId, imported.ImportedVersion));
        Assert.Null(await registry.FindAsync("globex", "inc", Ct));
        Assert.Empty(await services.GetRequiredService<ISkillRunner>().GetToolsAsync("globex", cancellationToken: Ct));
        Assert.Contains(imported.Id, (await services.GetRequiredService<IReviewService>().ListPendingAsync("globex", Ct).ToListAsync()).Select(i => i.Candidate.Id));

        var version = await services.GetRequiredService<IReviewService>().ApproveAsync("globex", imported.Id, "ana", cancellationToken: Ct);
        Assert.Equal(("def inc(x):\n    return x + 1", "inc", SemanticVersion.Initial), (version.Code, version.EntryPoint, version.Version));
        Assert.Equal(Tests.Replace(" ", string.Empty, StringComparison.Ordinal), version.TestCasesJson);
        package.Position = 0;
        using var zip = new ZipArchive(package);
        Assert.Equal(["README.md", "inc.py", "manifest.json"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        using var manifest = new StreamReader(zip.GetEntry("manifest.json")!.Open());
        var text = await manifest.ReadToEndAsync(Ct);
        Assert.Contains("\"entry_point\": \"inc\"", text, StringComparison.Ordinal);
        Assert.Contains("\"lineage\"", text, StringComparison.Ordinal);
        Assert.Contains($"\"code_sha256\": \"{Sha256("def inc(x):\n    return x + 1")}\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_ANewerVersionOfAnExistingSkill_OnApprovalBecomesActiveWithTheActiveAsParent()
    {
        await using var services = TestHost.Create();
        var registry = services.GetRequiredService<ISkillRegistry>();
        var (_, first) = await AddSkillAsync(services, "acme", "def inc(x):\n    return x + 1");

        var imported = await registry.ImportAsync("acme", Package("inc", "1.1.0", "def inc(x):\n    return 1 + x\n"), cancellationToken: Ct);
        Assert.Equal(first.Id, (await registry.FindAsync("acme", "inc", Ct))!.ActiveVersion.Id);
        var version = await services.GetRequiredService<IReviewService>().ApproveAsync("acme", imported.Id, "ana", cancellationToken: Ct);

        Assert.Equal((new SemanticVersion(1, 1, 0), first.Id), (version.Version, version.ParentVersionId));
        Assert.Equal(version.Id, (await registry.FindAsync("acme", "inc", Ct))!.ActiveVersion.Id);
        await Assert.ThrowsAsync<DuplicateEntityException>(() => registry.ImportAsync("acme", Package("inc", "1.1.0", "def inc(x):\n    return x + 1\n"), cancellationToken: Ct));
    }

    /// <summary>Regression: an imported package's code became an active skill, offered as a tool, without validation or review.</summary>
    [Fact]
    public async Task Import_CodeThatFailsItsTests_IsAFailedCandidate_EvenWhenTheHostTrustsItsPackages()
    {
        await using var services = TestHost.Create();
        var registry = services.GetRequiredService<ISkillRegistry>();

        var imported = await registry.ImportAsync("acme", Package("inc", "1.0.0", "def inc(x):\n    return x - 1\n"), new SkillImportOptions { TrustWithoutReview = true }, Ct);

        Assert.Equal(SkillCandidateStatus.Failed, imported.Status);
        Assert.Null(await registry.FindAsync("acme", "inc", Ct));
        Assert.Empty(await services.GetRequiredService<ISkillRunner>().GetToolsAsync("acme", cancellationToken: Ct));
    }

    [Fact]
    public async Task Import_WithTrustWithoutReview_PromotesValidatedCodeAtOnce_AndRecordsWhy()
    {
        await using var services = TestHost.Create();
        var registry = services.GetRequiredService<ISkillRegistry>();

        var imported = await registry.ImportAsync("acme", Package("inc", "2.0.0", "def inc(x):\n    return x + 1\n"), new SkillImportOptions { TrustWithoutReview = true }, Ct);

        Assert.Equal(SkillCandidateStatus.Promoted, imported.Status);
        Assert.Equal(SkillRegistry.ImportAgentId, imported.ReviewedBy);
        Assert.Contains("TrustWithoutReview", imported.ReviewReason, StringComparison.Ordinal);
        Assert.Equal(new SemanticVersion(2, 0, 0), (await registry.FindAsync("acme", "inc", Ct))!.ActiveVersion.Version);
    }

    [Theory]
    [InlineData("tampered")]
    [InlineData("missing")]
    public async Task Import_APackageWhoseHashDoesNotMatch_IsRefusedAndStoresNothing(string hash)
    {
        await using var services = TestHost.Create();

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => services.GetRequiredService<ISkillRegistry>()
            .ImportAsync("acme", Package("inc", "1.0.0", "def inc(x):\n    return x + 1\n", hash == "missing" ? null : Sha256("def inc(x):\n    return x + 2\n")), cancellationToken: Ct));

        Assert.Contains("code_sha256", error.Message, StringComparison.Ordinal);
        Assert.Empty(await services.GetRequiredService<ISkillCandidateStore>().ListByStatusAsync("acme", SkillCandidateStatus.Pending, Ct).ToListAsync());
        Assert.Empty(await services.GetRequiredService<ISkillCandidateStore>().ListByStatusAsync("acme", SkillCandidateStatus.Validated, Ct).ToListAsync());
    }

    [Theory]
    [InlineData("inc", "1.0", "def inc(x):\n    return x", "version")]
    [InlineData("inc", "1.0.0", "def other(x):\n    return x", "entry point 'inc'")]
    [InlineData("", "1.0.0", "def inc(x):\n    return x", "name")]
    public async Task Import_ABrokenPackage_SaysWhatIsWrong(string name, string version, string code, string problem)
    {
        await using var services = TestHost.Create();

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => services.GetRequiredService<ISkillRegistry>().ImportAsync("acme", Package(name, version, code), cancellationToken: Ct));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Regression: traversal names were accepted and then exported as the zip entry <c>../../../tmp/zipslip.py</c>.</summary>
    [Theory]
    [InlineData("../../../tmp/zipslip")]
    [InlineData("inc.py")]
    [InlineData("9lives")]
    [InlineData("a_name_that_is_much_longer_than_sixty_four_characters_which_is_the_most")]
    public async Task Import_ANameThatIsNotAPythonIdentifier_IsRefusedAndStoresNothing(string name)
    {
        await using var services = TestHost.Create();

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => services.GetRequiredService<ISkillRegistry>().ImportAsync("acme", Package(name, "1.0.0", "def inc(x):\n    return x"), cancellationToken: Ct));

        Assert.Contains("Python identifiers of at most 64 characters", error.Message, StringComparison.Ordinal);
        Assert.Empty(await services.GetRequiredService<ISkillRegistry>().ListAsync("acme", Ct).ToListAsync());
    }

    [Theory]
    [InlineData("../../../tmp/zipslip")]
    [InlineData("bad\nname")]
    [InlineData("")]
    public async Task Register_ANameThatIsNotAPythonIdentifier_IsRefused(string name)
    {
        await using var services = TestHost.Create();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => services.GetRequiredService<ISkillRegistry>().RegisterAsync("acme", name, "def inc(x):\n    return x\n", "inc", Tests, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => services.GetRequiredService<ISkillRegistry>().RegisterAsync("acme", "inc", "def inc(x):\n    return x\n", "inc", Tests, new string('d', 1_000_000), Ct));
        Assert.Empty(await services.GetRequiredService<ISkillRegistry>().ListAsync("acme", Ct).ToListAsync());
    }

    /// <summary>Regression: importing 2147483647.0.0 and promoting gave -2147483648.0.0, which could not be imported back.</summary>
    [Fact]
    public async Task Import_AVersionPastTheMaximum_IsRefused_AndTheMaximumHasNoNextVersion()
    {
        await using var services = TestHost.Create();
        var registry = services.GetRequiredService<ISkillRegistry>();

        await Assert.ThrowsAsync<InvalidDataException>(() => registry.ImportAsync("acme", Package("inc", "2147483647.0.0", "def inc(x):\n    return x"), cancellationToken: Ct));
        var top = await registry.ImportAsync("acme", Package("inc", "999999.999999.0", "def inc(x):\n    return x + 1"), cancellationToken: Ct);

        Assert.Equal(new SemanticVersion(999_999, 999_999, 0), top.ImportedVersion);
        Assert.Throws<InvalidOperationException>(() => top.ImportedVersion!.Value.NextMajor());
        Assert.Throws<InvalidOperationException>(() => top.ImportedVersion!.Value.NextMinor());
        Assert.False(SemanticVersion.TryParse("1000000.0.0", out _));
    }

    [Fact]
    public async Task Import_NotAZip_IsAnInvalidPackage()
    {
        await using var services = TestHost.Create();

        await Assert.ThrowsAsync<InvalidDataException>(() => services.GetRequiredService<ISkillRegistry>().ImportAsync("acme", new MemoryStream(Encoding.UTF8.GetBytes("not a zip")), cancellationToken: Ct));
    }

    [Fact]
    public async Task Register_AHandWrittenSkill_MakesVersion1_0_0_WithItsTests()
    {
        await using var services = TestHost.Create();
        var registry = services.GetRequiredService<ISkillRegistry>();

        var version = await registry.RegisterAsync("acme", "inc", "def inc(x: int) -> int:\n    return x + 1\n", "inc", Tests, "adds one", Ct);

        var found = await registry.FindAsync("acme", "inc", Ct);
        Assert.Equal((SemanticVersion.Initial, version.Id, "adds one"), (found!.ActiveVersion.Version, found.ActiveVersion.Id, found.Skill.Description));
        Assert.Equal("""[{"inputs":{"x":1},"expected":2}]""", found.ActiveVersion.TestCasesJson);
        await Assert.ThrowsAsync<DuplicateEntityException>(() => registry.RegisterAsync("acme", "inc", "def inc(x):\n    return x\n", "inc", Tests, cancellationToken: Ct));
        Assert.Null(await registry.FindAsync("other", "inc", Ct));
    }

    [Theory]
    [InlineData("def other(x):\n    return x\n", Tests, "entry point")]
    [InlineData("def inc(x):\n    return x\n", "[{\"expected\": 1}]", "tests are unusable")]
    public async Task Register_BadCodeOrTests_SaysWhatIsWrong(string code, string tests, string problem)
    {
        await using var services = TestHost.Create();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => services.GetRequiredService<ISkillRegistry>().RegisterAsync("acme", "inc", code, "inc", tests, cancellationToken: Ct));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    private static async Task<(Skill Skill, SkillVersion Version)> AddSkillAsync(IServiceProvider services, string tenant, string code)
    {
        var skill = new Skill { TenantId = tenant, Name = "inc", Description = "adds one" };
        var version = new SkillVersion { TenantId = tenant, SkillId = skill.Id, Version = SemanticVersion.Initial, Code = code, EntryPoint = "inc", TestCasesJson = Tests };
        return (await services.GetRequiredService<ISkillStore>().AddAsync(skill, version, Ct), version);
    }

    private static string Sha256(string code) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    private static MemoryStream Package(string name, string version, string code) => Package(name, version, code, Sha256(code));

    private static MemoryStream Package(string name, string version, string code, string? sha256)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open()))
            {
                writer.Write($$"""{"format": "{{SkillRegistry.PackageFormat}}", "name": "{{name}}", "version": "{{version}}", "entry_point": "inc", "code_file": "skill.py", {{(sha256 is null ? string.Empty : $"\"code_sha256\": \"{sha256}\",")}} "tests": [{"inputs": {"x": 1}, "expected": 2}]}""");
            }

            using (var writer = new StreamWriter(zip.CreateEntry("skill.py").Open()))
            {
                writer.Write(code);
            }
        }

        stream.Position = 0;
        return stream;
    }
}
