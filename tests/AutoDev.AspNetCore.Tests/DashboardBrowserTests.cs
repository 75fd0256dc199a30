using AutoDev.AspNetCore;
using AutoDev.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static AutoDev.Tests.AspNetCore.ApiHost;

namespace AutoDev.Tests.AspNetCore;

/// <summary>
/// The dashboard in a real browser: Debian's Chromium, headless, driven by Microsoft.Playwright (build/setup.sh
/// installs it; Playwright's own browser download is not used). Each test walks what a reviewer does.
/// </summary>
public sealed class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Hostile = "</script><img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AReviewer_ApprovesACandidate_SeesSkill100_OpensItsLineage_AndRollsBack()
    {
        await using var host = await StartAsync();
        await using var browser = await BrowserAsync();
        var page = await browser.NewPageAsync();
        var errors = Errors(page);
        await host.CandidateAsync(Acme);

        await page.GotoAsync(new Uri(host.Address, $"#/w/{Acme}/queue").ToString());
        await page.WaitForSelectorAsync("#candidates a");
        await Screenshot(page, "dashboard-queue.png");
        await page.ClickAsync("#candidates a");
        await page.WaitForSelectorAsync("pre.code");
        Assert.Equal("count_words", await page.TextContentAsync("#candidate-name"));
        await Screenshot(page, "dashboard-candidate.png");
        await page.FillAsync("#reason", "counts right");
        await page.ClickAsync("#approve");
        var promoted = await page.WaitForSelectorAsync("#promoted");
        Assert.Equal("count_words 1.0.0", await promoted!.TextContentAsync());

        var second = await host.CandidateAsync(Acme, "1.1.0");
        await page.GotoAsync(new Uri(host.Address, $"#/w/{Acme}/candidates/{second.Id}").ToString());
        await page.ClickAsync("#approve");
        await page.ClickAsync("#promoted");
        await page.WaitForSelectorAsync("#lineage g[data-version='1.1.0']");
        Assert.Equal("1.1.0", await page.TextContentAsync("#active-version"));
        Assert.Equal(2, await page.Locator("#lineage g.node").CountAsync());
        Assert.Equal(1, await page.Locator("#lineage path.edge").CountAsync());
        await Screenshot(page, "dashboard-skill.png");

        await page.ClickAsync("[data-rollback='1.0.0']");
        await page.WaitForSelectorAsync("#active-version:text('1.0.0')");
        Assert.Equal("1.0.0", (await host.Get<ISkillRegistry>().FindAsync(Acme, "count_words", Ct))!.ActiveVersion.Version.ToString());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task AReviewer_SeesAMutationsDiffAndRunTimes_ApprovesIt_AndTheSkillBecomes110()
    {
        await using var host = await StartAsync();
        await using var browser = await BrowserAsync();
        var page = await browser.NewPageAsync();
        var errors = Errors(page);
        var parent = await host.Get<ISkillRegistry>().RegisterAsync(Acme, "count_words", "def count_words(text: str) -> int:\n    words = [w for w in text.split(' ') if w]\n    return len(words)\n", "count_words", """[{"inputs": {"text": "a b c"}, "expected": 3}]""", cancellationToken: Ct);
        var mutation = await PassedMutationAsync(host, parent, "def count_words(text: str) -> int:\n    return len(text.split())\n");

        await page.GotoAsync(new Uri(host.Address, $"#/w/{Acme}/queue").ToString());
        await page.ClickAsync("#mutations a");
        await page.WaitForSelectorAsync("pre.diff");
        Assert.Equal(["- " + "    words = [w for w in text.split(' ') if w]", "-     return len(words)"], await page.Locator("pre.diff .del").AllTextContentsAsync());
        Assert.Equal(["+     return len(text.split())"], await page.Locator("pre.diff .add").AllTextContentsAsync());
        Assert.Equal(6, await page.Locator("svg[aria-label='run times'] rect").CountAsync());
        await Screenshot(page, "dashboard-mutation.png");
        await page.ClickAsync("#approve");

        var promoted = await page.WaitForSelectorAsync("#promoted");
        Assert.Equal("count_words 1.1.0", await promoted!.TextContentAsync());
        Assert.Equal(ToolMutationStatus.Promoted, (await host.Get<IToolMutationStore>().FindAsync(Acme, mutation.Id, Ct))!.Status);

        // The lineage graph links the new version to the mutation that made it.
        await page.ClickAsync("#promoted");
        await page.ClickAsync("#lineage g[data-version='1.1.0'] a.origin");
        await page.WaitForSelectorAsync("pre.diff");
        Assert.EndsWith($"#/w/{Acme}/mutations/{mutation.Id}", page.Url, StringComparison.Ordinal);
        Assert.Contains("Promoted", await page.TextContentAsync("main"), StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ASkill_IsExportedFromItsPage_AndImportedFromTheSkillsPage_AsACandidateForReview()
    {
        await using var host = await StartAsync();
        await using var browser = await BrowserAsync();
        var page = await browser.NewPageAsync();
        var errors = Errors(page);
        await host.Get<ISkillRegistry>().RegisterAsync(Lab, "count_words", "def count_words(text: str) -> int:\n    return len(text.split())\n", "count_words", """[{"inputs": {"text": "a b c"}, "expected": 3}]""", "Counts words", Ct);
        var file = Path.Combine(Directory.CreateTempSubdirectory("autodev-browser-").FullName, "count_words.zip");

        await page.GotoAsync(new Uri(host.Address, $"#/w/{Lab}/skills/count_words").ToString());
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export"));
        await download.SaveAsAsync(file);
        Assert.Equal("count_words.zip", download.SuggestedFilename);

        await page.GotoAsync(new Uri(host.Address, $"#/w/{Acme}/skills").ToString());
        await page.SetInputFilesAsync("#package", file);
        await page.ClickAsync("#import");
        var imported = await page.WaitForSelectorAsync("#imported");
        Assert.Contains("count_words (Validated)", await imported!.TextContentAsync(), StringComparison.Ordinal);
        await page.ClickAsync("#imported a");
        await page.WaitForSelectorAsync("#approve");
        Assert.Equal("count_words", await page.TextContentAsync("#candidate-name"));
        Assert.Single(await host.Get<ISkillCandidateStore>().ListByStatusAsync(Acme, SkillCandidateStatus.Validated, 10, Ct).ToListAsync(Ct));
        Assert.Empty(errors);
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Fact]
    public async Task TheAgentsPage_ShowsMaturityReadinessAndGuidance_AndTheWorkspacePage_UsageAndSettings()
    {
        await using var host = await StartAsync(configure: b => b.Services.Configure<AutoDevHttpOptions>(o => o.CanChangeSettings = (_, _) => ValueTask.FromResult(true)));
        await using var browser = await BrowserAsync();
        var page = await browser.NewPageAsync();
        var errors = Errors(page);
        await host.Get<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Acme, AgentId = "invoice-agent", Maturity = AgentMaturity.Student, EpisodeCount = 5, InterventionCount = 1 }, Ct);

        await page.GotoAsync(new Uri(host.Address, $"#/w/{Acme}/agents").ToString());
        await page.WaitForSelectorAsync("#agents meter");

        Assert.Equal(["invoice-agent"], await page.Locator("#agents td:first-child").AllTextContentsAsync());
        Assert.Equal("STUDENT", (await page.Locator("#agents td:nth-child(2)").TextContentAsync())?.ToUpperInvariant());
        var readiness = GraduationReadiness.Evaluate(new AgentProfile { TenantId = Acme, AgentId = "invoice-agent", EpisodeCount = 5, InterventionCount = 1 });
        Assert.Equal(readiness.Score, double.Parse((await page.GetAttributeAsync("#agents meter", "value"))!, System.Globalization.CultureInfo.InvariantCulture), 6);
        Assert.Contains("episodes: 5 of 10", await page.TextContentAsync("#agents"), StringComparison.Ordinal);
        Assert.Equal($"0 of {WorkspaceSettings.Default.MaxSkillCandidatesPerDay}", await page.TextContentAsync("#agents td.candidates-today"));
        await page.ClickAsync("[data-guidance='invoice-agent']");
        await page.WaitForSelectorAsync("#guidance h2");
        Assert.Contains("Guidance for invoice-agent", await page.TextContentAsync("#guidance"), StringComparison.Ordinal);
        await Screenshot(page, "dashboard-agents.png");

        // The workspace page's own element: the agents page has meters too.
        await page.ClickAsync("nav a:text('Workspace')");
        await page.WaitForSelectorAsync("#usage meter");
        Assert.Contains($"0 of {WorkspaceSettings.DefaultDailyTokenBudget}", await page.TextContentAsync("#usage"), StringComparison.Ordinal);
        Assert.Contains($"0 of {WorkspaceSettings.Default.MaxMutationsPerDay}", await page.TextContentAsync("#mutations-today"), StringComparison.Ordinal);
        await Screenshot(page, "dashboard-workspace.png");
        await page.FillAsync("#settings", """{"auto_dev": {"enabled": true, "memento_skills": true, "max_skill_candidates_per_day": 7}}""");
        await page.ClickAsync("#save-settings");
        await page.WaitForSelectorAsync("main p.message:text('Saved.')");
        Assert.Equal(7, (await host.Get<IWorkspaceStore>().GetSettingsAsync(Acme, Ct)).MaxSkillCandidatesPerDay);
        await page.FillAsync("#settings", """{"auto_dev": {"max_skill_candidates_per_day": -3}}""");
        await page.ClickAsync("#save-settings");
        await page.WaitForSelectorAsync("main p.message.error");
        Assert.Equal(7, (await host.Get<IWorkspaceStore>().GetSettingsAsync(Acme, Ct)).MaxSkillCandidatesPerDay);
        Assert.Contains("400", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelWrittenText_ThatLooksLikeMarkup_IsShownAsText_AndNothingRuns()
    {
        await using var host = await StartAsync();
        await using var browser = await BrowserAsync();
        var page = await browser.NewPageAsync();
        var candidate = new SkillCandidate
        {
            TenantId = Acme,
            AgentId = "agent<b>",
            Name = "extract" + Hostile,
            EntryPoint = "extract",
            PatternKey = "hostile",
            Description = Hostile,
            Code = $"def extract(text):\n    return \"{Hostile.Replace("\"", "'", StringComparison.Ordinal)}\"\n",
            Status = SkillCandidateStatus.Validated,
        };
        await host.Get<ISkillCandidateStore>().AddAsync(candidate, Ct);

        await page.GotoAsync(new Uri(host.Address, $"#/w/{Acme}/queue").ToString());
        await page.WaitForSelectorAsync("#candidates a");
        await page.ClickAsync("#candidates a");
        await page.WaitForSelectorAsync("pre.code");

        Assert.Equal("extract" + Hostile, await page.TextContentAsync("#candidate-name"));
        Assert.Equal(Hostile, await page.TextContentAsync("#candidate-description"));
        Assert.Contains("onerror", await page.TextContentAsync("pre.code"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Equal(0, await page.Locator("main script").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null"));
    }

    [Fact]
    public async Task TheDashboard_IsServedWithAStrictContentSecurityPolicy_AndNeedsNoOtherOrigin()
    {
        await using var host = await StartAsync();
        await using var browser = await BrowserAsync();
        var page = await browser.NewPageAsync();
        var origins = new List<string>();
        page.Request += (_, request) => origins.Add(new Uri(request.Url).GetLeftPart(UriPartial.Authority));

        var response = await page.GotoAsync(host.Address.ToString());
        await page.WaitForSelectorAsync("main ul a");

        var policy = (await response!.AllHeadersAsync())["content-security-policy"];
        Assert.Equal(Dashboard.ContentSecurityPolicy, policy);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.All(origins, o => Assert.Equal(host.Address.GetLeftPart(UriPartial.Authority), o));
        Assert.Equal([Acme, Globex, Lab], await page.Locator("main ul a").AllTextContentsAsync());
    }

    private static async Task<ToolMutation> PassedMutationAsync(ApiHost host, SkillVersion parent, string childCode)
    {
        var mutation = new ToolMutation
        {
            TenantId = Acme,
            SkillId = parent.SkillId,
            ParentVersionId = parent.Id,
            Trigger = MutationTrigger.Latency,
            Code = childCode,
            Status = ToolMutationStatus.Passed,
            CreatedAt = TimeProvider.System.GetUtcNow(),
            Evaluation = new MutationEvaluation
            {
                Runs = 3,
                InputCount = 1,
                Parent = new VariantMeasurement { RunMilliseconds = [4.1, 4.3, 4.0], MedianMilliseconds = 4.1, SuccessRate = 1 },
                Child = new VariantMeasurement { RunMilliseconds = [1.2, 1.1, 1.3], MedianMilliseconds = 1.2, SuccessRate = 1 },
                BehaviourPreserved = true,
                ChildWins = true,
            },
        };
        return (await host.Get<IToolMutationStore>().AddAsync(mutation, Ct)).Entity;
    }

    private static async Task<IBrowser> BrowserAsync()
    {
        ServiceRequirement.Require(File.Exists(Chromium), $"{Chromium} is missing (bash build/setup.sh installs Debian's chromium)");
        var playwright = await Playwright.CreateAsync();
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    /// <summary>Console errors and page errors (a script refused by the policy, an exception), which a test expects none of.</summary>
    private static List<string> Errors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { errors.Add($"{m.Text} ({m.Location})"); } };
        page.PageError += (_, e) => errors.Add(e);
        return errors;
    }

    /// <summary>Keeps a screenshot of the page in artifacts/screenshots (the ones in docs/images were taken this way).</summary>
    private static Task<byte[]> Screenshot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = RepositoryPaths.Combine("artifacts", "screenshots", name), FullPage = true });
}
