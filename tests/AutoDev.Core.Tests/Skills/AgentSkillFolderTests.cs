using AutoDev.Tests.Learning.Memento;
using static AutoDev.Tests.Learning.Memento.MementoHost;

namespace AutoDev.Tests.Skills;

/// <summary>Skills in the Agent Skills format (a folder with SKILL.md), on the real sandbox.</summary>
public sealed class AgentSkillFolderTests : IDisposable
{
    private const string Tests = """[{"inputs": {"text": "Hi, invoice INV-2024-0042 is wrong"}, "expected": "INV-2024-0042"}, {"inputs": {"text": "Where is my order?"}, "raises": "ValueError"}]""";
    private readonly string _directory = Directory.CreateTempSubdirectory("autodev-agent-skills-").FullName;

    [Fact]
    public async Task AnExportedSkill_IsAnAgentSkillsFolder_AndImportsIntoAnotherWorkspace_ThroughReview()
    {
        await using var host = await StartAsync();
        var registry = host.Get<ISkillRegistry>();
        await RegisterAsync(registry);

        var folder = await registry.ExportAgentSkillAsync(Tenant, "extract_invoice_id", _directory, Ct);

        Assert.Equal(Path.Combine(_directory, "extract-invoice-id"), folder);
        var skillMd = await File.ReadAllTextAsync(Path.Combine(folder, "SKILL.md"), Ct);
        Assert.StartsWith("---\nname: extract-invoice-id\ndescription: Return the first invoice id (INV-YYYY-NNNN) in the text.\nmetadata:\n  autodev-version: 1.0.0\n  autodev-entry-point: extract_invoice_id\n  autodev-code-sha256: ", skillMd, StringComparison.Ordinal);
        Assert.Equal(ModelAnswers.ExtractFunction(GoodAnswer, "extract_invoice_id").Code, await File.ReadAllTextAsync(Path.Combine(folder, "scripts", "extract_invoice_id.py"), Ct));
        Assert.Equal(2, System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "tests.json"), Ct)).RootElement.GetArrayLength());

        var imported = await registry.ImportAgentSkillAsync("globex", folder, cancellationToken: Ct);

        Assert.True(imported.Status == SkillCandidateStatus.Validated, imported.FailureReason);
        Assert.Null(await registry.FindAsync("globex", "extract_invoice_id", Ct)); // not a skill before review
        var version = await host.Get<IReviewService>().ApproveAsync("globex", imported.Id, "alice", cancellationToken: Ct);
        Assert.Equal(SemanticVersion.Initial, version.Version);
        Assert.Equal(ModelAnswers.ExtractFunction(GoodAnswer, "extract_invoice_id").Code, version.Code);
    }

    [Fact]
    public async Task AFolderFromAnotherRuntime_WithoutAutoDevsMetadata_ImportsAs1_0_0()
    {
        await using var host = await StartAsync();
        var folder = Directory.CreateDirectory(Path.Combine(_directory, "extract-invoice-id")).FullName;
        Directory.CreateDirectory(Path.Combine(folder, "scripts"));
        await File.WriteAllTextAsync(Path.Combine(folder, "SKILL.md"), "---\nname: extract-invoice-id\ndescription: Finds invoice ids.\nlicense: MIT\n---\n\nUse the script.\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "scripts", "extract_invoice_id.py"), ModelAnswers.ExtractFunction(GoodAnswer, "extract_invoice_id").Code, Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "tests.json"), Tests, Ct);

        var imported = await host.Get<ISkillRegistry>().ImportAgentSkillAsync(Tenant, folder, new SkillImportOptions { TrustWithoutReview = true }, Ct);

        Assert.Equal(SkillCandidateStatus.Promoted, imported.Status);
        Assert.Equal("Finds invoice ids.", imported.Description);
        Assert.Equal(SemanticVersion.Initial, (await host.Get<ISkillRegistry>().FindAsync(Tenant, "extract_invoice_id", Ct))!.ActiveVersion.Version);
    }

    [Theory]
    [InlineData("no SKILL.md")]
    [InlineData("no front matter")]
    [InlineData("a name that is no skill name")]
    [InlineData("no script")]
    [InlineData("changed code")]
    [InlineData("tests that are not JSON")]
    public async Task ABrokenOrChangedFolder_IsRefusedWithWhatIsWrong(string problem)
    {
        await using var host = await StartAsync();
        var registry = host.Get<ISkillRegistry>();
        await RegisterAsync(registry);
        var folder = await registry.ExportAgentSkillAsync(Tenant, "extract_invoice_id", _directory, Ct);
        var skillMd = Path.Combine(folder, "SKILL.md");
        switch (problem)
        {
            case "no SKILL.md": File.Delete(skillMd); break;
            case "no front matter": await File.WriteAllTextAsync(skillMd, "# just text\n", Ct); break;
            case "a name that is no skill name": await File.WriteAllTextAsync(skillMd, (await File.ReadAllTextAsync(skillMd, Ct)).Replace("name: extract-invoice-id", "name: ../../etc", StringComparison.Ordinal), Ct); break;
            case "no script": File.Delete(Path.Combine(folder, "scripts", "extract_invoice_id.py")); break;
            case "changed code": await File.AppendAllTextAsync(Path.Combine(folder, "scripts", "extract_invoice_id.py"), "\nimport os\n", Ct); break;
            default: await File.WriteAllTextAsync(Path.Combine(folder, "tests.json"), "[{", Ct); break;
        }

        await Assert.ThrowsAsync<InvalidDataException>(() => registry.ImportAgentSkillAsync("globex", folder, cancellationToken: Ct));
        foreach (var status in Enum.GetValues<SkillCandidateStatus>())
        {
            Assert.Empty(await host.Get<ISkillCandidateStore>().ListByStatusAsync("globex", status, Ct).ToListAsync(Ct)); // nothing stored
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Task<SkillVersion> RegisterAsync(ISkillRegistry registry) =>
        registry.RegisterAsync(Tenant, "extract_invoice_id", ModelAnswers.ExtractFunction(GoodAnswer, "extract_invoice_id").Code!, "extract_invoice_id", Tests, "Extracts invoice ids.", Ct);
}
