// The invoice sample: an agent of the "acme" workspace fails to extract invoice ids from emails; AutoDev turns the
// failures into a reviewed, versioned skill the agent then uses (Memento-Skills). Then a slow skill, process_invoice,
// becomes a faster version 1.1.0 (AlphaEvolver). Run: bash build/sample.sh [--yes] [--serve [--port N]]
using System.Globalization;
using System.Text.Json;
using AutoDev;
using AutoDev.Samples.Invoice;
using AutoDev.Storage;
using AutoDev.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

const string Workspace = "acme";
const string AgentId = "invoice-agent";
const string FailingTask = "Extract invoice ID from customer emails";
string[] emails = ["Hi, invoice INV-2024-0042 is wrong", "Please resend invoice #INV-2024-0077"];

// AlphaEvolver reacts to executions slower than 5 s by default; the sample's slow skill takes milliseconds, so the
// sample lowers the threshold to match.
var slowSkillThreshold = TimeSpan.FromMilliseconds(40);
var approveWithoutAsking = args.Contains("--yes");

// A fresh SQLite file each run, so the story is the same every time.
var database = Path.Combine(AppContext.BaseDirectory, "autodev-sample.db");
foreach (var file in new[] { database, database + "-wal", database + "-shm" })
{
    File.Delete(file);
}

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var autodev = builder.Services.AddAutoDev(builder.Configuration, options =>
{
    // A console story prints in order with inline events; servers keep the default channel mode.
    options.EventDispatchMode = EventDispatchMode.Inline;
    options.Workspaces[Workspace] = WorkspaceSettings.FromJson("""
        { "auto_dev": { "enabled": true, "memento_skills": true, "alpha_evolver": true, "max_skill_candidates_per_day": 3 } }
        """);
})
    .AddEntityFrameworkStores(o => o.UseSqlite($"Data Source={database}"), stores => stores.MigrateOnStart = true)
    // The strongest local tier: Docker where its engine and image are there, otherwise bubblewrap.
    .AddDockerSandbox(docker => docker.AllowFallback = true)
    .ConfigureEvolution(evolution => evolution.LatencyThreshold = slowSkillThreshold);
var chatProvider = ChatProvider.Use(autodev, builder.Configuration);
var telemetry = Telemetry.Add(builder.Services, builder.Configuration);

using var host = builder.Build();
await host.StartAsync();
var services = host.Services;
var recorder = services.GetRequiredService<IEpisodeRecorder>();
var bus = services.GetRequiredService<IEventBus>();
var sandbox = services.GetRequiredService<ISandbox>();

Console.WriteLine($"AutoDev invoice sample — workspace '{Workspace}', agent '{AgentId}'");
Console.WriteLine($"  store: SQLite file {Path.GetFileName(database)} · sandbox: the strongest local tier · model: {chatProvider}");
Console.WriteLine();

using var onUnlock = bus.Subscribe<CapabilityUnlocked>((e, _) => Say($"  [{e.Type}] {e.Message}"));
using var onCandidate = bus.Subscribe<SkillCandidateGenerated>((e, _) => Say(e.Candidate.Status == SkillCandidateStatus.Failed
    ? $"  [candidate] {e.Candidate.Name}: the model's answer was unusable — {e.Candidate.FailureReason}"
    : $"  [candidate] {e.Candidate.Name} written by the model from {e.Candidate.SourceEpisodeIds.Count} failures, with {JsonDocument.Parse(e.Candidate.TestCasesJson).RootElement.GetArrayLength()} tests"));
using var onValidated = bus.Subscribe<SkillCandidateValidated>((e, _) => Say(e.Candidate.Status == SkillCandidateStatus.Validated
    ? $"  [validated] {e.Candidate.Name}: every test passed in the {e.Candidate.Validation?.Tier} sandbox, and {e.Candidate.HeldOutResults.Count} held-out case(s) the model never saw (fitness {e.Candidate.FitnessScore:0.00})"
    : $"  [validation failed] {e.Candidate.Name}: {e.Candidate.FailureReason}"));
using var onPromoted = bus.Subscribe<SkillPromoted>((e, _) => Say($"  [promoted] {e.Skill.Name} {e.Version.Version}, approved by {e.PromotedBy}"));

Console.WriteLine("1. The agent works through thirty invoices; a person steps in three times.");
for (var i = 1; i <= 30; i++)
{
    var recorded = await recorder.RecordAsync(new Episode
    {
        TenantId = Workspace,
        AgentId = AgentId,
        TaskDescription = $"Create invoice for order {1000 + i}",
        Success = true,
        HumanIntervention = i is 3 or 7 or 19,
        ConstitutionalScore = 0.92,
        ToolsAttempted = ["crm.lookup", "invoice.create"],
    });
    if (i % 10 == 0)
    {
        Console.WriteLine($"  after {i} episodes: maturity {Upper(recorded.Agent.Maturity)}");
    }
}

Console.WriteLine();
Console.WriteLine($"2. The agent fails \"{FailingTask}\" twice; AutoDev learns a skill from it.");
foreach (var email in emails)
{
    Console.WriteLine($"  [failed] \"{email}\" — KeyError: 'invoice_id'");
    await recorder.RecordAsync(new Episode
    {
        TenantId = Workspace,
        AgentId = AgentId,
        TaskDescription = FailingTask,
        Success = false,
        ErrorTrace = "KeyError: 'invoice_id' — no tool extracts invoice ids from free text",
        ContextJson = JsonSerializer.Serialize(new { text = email }),
        ToolsAttempted = ["email.read", "crm.lookup"],
        ConstitutionalScore = 0.9,
        // The person who stepped in on the first email found the id by hand: AutoDev keeps that answer from the model
        // and checks every candidate (and every later mutation) against it.
        HumanIntervention = email == emails[0],
        Resolution = email == emails[0] ? TestCase.Returns(JsonSerializer.Serialize(new { text = email }), "\"INV-2024-0042\"") : null,
    });
    if (email == emails[0])
    {
        Console.WriteLine("  [person] stepped in and found the id by hand: INV-2024-0042 (held out from the model as a check)");
        Console.WriteLine("  [reflection] one failure of this kind: waiting for a second before spending a model call");
    }
}

Console.WriteLine();
Console.WriteLine("3. Review.");
var review = services.GetRequiredService<IReviewService>();
var pending = await review.ListPendingAsync(Workspace).FirstOrDefaultAsync();
if (pending is null)
{
    Console.WriteLine("  Nothing to review: no candidate passed validation. See the lines above for why.");
    await host.StopAsync();
    return 1;
}

var candidate = pending.Candidate;
Console.WriteLine($"  {candidate.Name}, from {pending.SourceEpisodes.Count} failed episodes:");
Print(candidate.Code);
Console.WriteLine($"  its own tests: {candidate.TestResults.Count(r => r.Passed)} of {candidate.TestResults.Count} passed");
foreach (var result in candidate.HeldOutResults)
{
    Console.WriteLine($"  held out from the model: {result.Case.InputsJson} -> expected {result.Case.ExpectedJson ?? "to raise " + result.Case.Raises}, got {result.Actual}: {(result.Passed ? "passed" : "FAILED")} ({result.Case.Source})");
}

if (!Approve(candidate.Name))
{
    await review.RejectAsync(Workspace, candidate.Id, Environment.UserName, "rejected in the sample");
    Console.WriteLine("  Rejected. Run again and approve it to see the rest of the story.");
    await host.StopAsync();
    return 0;
}

await review.ApproveAsync(Workspace, candidate.Id, Environment.UserName, "approved in the sample");

Console.WriteLine();
Console.WriteLine("4. The agent retries the emails, now with the skill.");
var runner = services.GetRequiredService<ISkillRunner>();
foreach (var email in emails.Append("Where is my order?"))
{
    var run = await runner.RunAsync(new SkillRunRequest { TenantId = Workspace, AgentId = AgentId, SkillName = candidate.Name, InputsJson = JsonSerializer.Serialize(new { text = email }) });
    var outcome = run.Result.Succeeded ? $"-> {run.Result.ReturnValue}" : $"{run.Result.Error?.Type}: {run.Result.Error?.Message} (the agent asks a person)";
    Console.WriteLine($"  [{run.Result.Tier}, {run.Result.Duration.TotalMilliseconds:0} ms] \"{email}\" {outcome}");
    await recorder.RecordAsync(new Episode
    {
        TenantId = Workspace,
        AgentId = AgentId,
        TaskDescription = FailingTask,
        Success = run.Result.Succeeded,
        ErrorTrace = run.Result.Error?.Message,
        ContextJson = JsonSerializer.Serialize(new { text = email }),
        ToolsAttempted = ["email.read", candidate.Name],
    });
}

Console.WriteLine();
Console.WriteLine("5. The skill in the registry.");
var registry = services.GetRequiredService<ISkillRegistry>();
var skill = (await registry.FindAsync(Workspace, candidate.Name))!;
var version = skill.ActiveVersion;
Console.WriteLine($"  {skill.Skill.Name} {version.Version} — {skill.Skill.Description}");
Print(version.Code);
Console.WriteLine("  tests:");
foreach (var test in JsonDocument.Parse(version.TestCasesJson).RootElement.EnumerateArray())
{
    Console.WriteLine($"    {test.GetProperty("inputs").GetRawText()} -> {(test.TryGetProperty("expected", out var expected) ? expected.GetRawText() : "raises " + test.GetProperty("raises").GetString())}");
}

var lineage = await registry.GetLineageAsync(Workspace, candidate.Name);
Console.WriteLine($"  lineage: {string.Join(" -> ", lineage.Ancestors.Reverse().Append(lineage.Self).Select(v => v.Version.ToString()))}, from candidate {version.SourceCandidateId} (episodes {string.Join(", ", candidate.SourceEpisodeIds.Select(id => id.ToString()[..8]))})");
var package = Path.Combine(AppContext.BaseDirectory, $"{skill.Skill.Name}-{version.Version}.zip");
await using (var zip = File.Create(package))
{
    await registry.ExportAsync(Workspace, candidate.Name, zip);
}

Console.WriteLine($"  exported as a skill package: {Path.GetFileName(package)}");

Console.WriteLine();
Console.WriteLine("6. A slow skill gets faster (AlphaEvolver).");
const string SlowSkill = "process_invoice";
await registry.RegisterAsync(Workspace, SlowSkill, ScriptedAnswers.ProcessInvoiceSlow, SlowSkill, ScriptedAnswers.ProcessInvoiceTests, "Totals an invoice from the catalogue.");
Console.WriteLine($"  The billing team's {SlowSkill} 1.0.0, registered by hand, looks up every line by a linear search of a 20,000-item catalogue.");
using var onMutation = bus.Subscribe<ToolMutationGenerated>((e, _) => Say(e.Mutation.Status == ToolMutationStatus.Failed
    ? $"  [mutation] the model's answer was unusable — {e.Mutation.FailureReason}"
    : $"  [mutation] the model wrote a child aimed at \"{AlphaEvolverEngine.GoalOf(e.Mutation.Trigger)}\"; it runs beside its parent on the same {e.Mutation.EvaluationInputs.Count} inputs, plus the tests"));
// 240 lines near the end of the catalogue: about 70 ms on a fast day of the reference machine, well over the threshold,
// so the latency trigger fires on any machine (80 lines took 36 ms there, under it).
var invoice = JsonSerializer.Serialize(new { invoice_id = "INV-2024-0100", items = Enumerable.Range(0, 240).Select(i => new object[] { $"SKU-{19999 - (i * 29):00000}", 1 + (i % 3) }) });
Console.WriteLine($"  The agent runs it on a 240-line invoice (the sample lets the host record the inputs for evolution):");
var slow = await runner.RunAsync(new SkillRunRequest { TenantId = Workspace, AgentId = AgentId, SkillName = SlowSkill, InputsJson = invoice, RecordInputs = true });
var verdict = slow.Result.Duration > slowSkillThreshold ? "slower than the {0} ms threshold: a latency trigger" : "under the {0} ms threshold: no trigger";
Console.WriteLine($"  [{slow.Result.Tier}, {slow.Result.Duration.TotalMilliseconds:0} ms] {SlowSkill} {slow.Version.Version}: {slow.Result.ReturnValue} ({string.Format(CultureInfo.InvariantCulture, verdict, slowSkillThreshold.TotalMilliseconds)})");

var mutation = await review.ListPendingMutationsAsync(Workspace).FirstOrDefaultAsync();
var evaluated = mutation ?? await services.GetRequiredService<IToolMutationStore>().ListRecentAsync(Workspace, 1, default).FirstOrDefaultAsync();
if (evaluated?.Evaluation is { } evaluation)
{
    Console.WriteLine($"  Side by side ({evaluation.Runs} alternating runs over {evaluation.InputCount} inputs each):");
    Console.WriteLine($"    {"",-22} {"parent " + slow.Version.Version,-16} child");
    Row("median run", $"{evaluation.Parent.MedianMilliseconds:0.000} ms", $"{evaluation.Child.MedianMilliseconds:0.000} ms");
    Row("tests passed", $"{evaluation.Parent.TestsPassed}/{evaluation.Parent.TestsTotal}", $"{evaluation.Child.TestsPassed}/{evaluation.Child.TestsTotal}");
    Row("calls without error", $"{evaluation.Parent.SuccessRate:P0}", $"{evaluation.Child.SuccessRate:P0}");
    Row("output tokens", $"{evaluation.Parent.OutputTokens:0}", $"{evaluation.Child.OutputTokens:0}");
    Row("fitness", $"{evaluation.Parent.Fitness:0.0000}", $"{evaluation.Child.Fitness:0.0000}");
    Console.WriteLine($"    same answers on every input: {(evaluation.BehaviourPreserved ? "yes" : "no — " + evaluation.BehaviourDifference)}; faster beyond noise: {(evaluation.LatencyCounted ? "yes" : "no")} (Mann-Whitney p = {evaluation.LatencyPValue:0.0000})");
}

if (mutation is null)
{
    Console.WriteLine($"  No mutation waits for review: {evaluated?.FailureReason ?? "none was written; see the lines above."}");
    await host.StopAsync();
    return 1;
}

Print(mutation.Code);
if (!Approve($"the mutation of {SlowSkill}"))
{
    await review.RejectMutationAsync(Workspace, mutation.Id, Environment.UserName, "rejected in the sample");
    Console.WriteLine($"  Rejected; {SlowSkill} stays at 1.0.0.");
    await host.StopAsync();
    return 0;
}

var faster = await review.ApproveMutationAsync(Workspace, mutation.Id, Environment.UserName, "faster, same totals");
// Tried by you, not by an agent: a run without an agent never starts a mutation, however long it takes.
var rerun = await runner.RunAsync(new SkillRunRequest { TenantId = Workspace, SkillName = SlowSkill, InputsJson = invoice });
Console.WriteLine($"  You try {rerun.Version.Version} on the same invoice:");
Console.WriteLine($"  [{rerun.Result.Tier}, {rerun.Result.Duration.TotalMilliseconds:0} ms] {SlowSkill} {rerun.Version.Version}: {rerun.Result.ReturnValue}");
var evolved = await registry.GetLineageAsync(Workspace, SlowSkill);
Console.WriteLine($"  lineage: {string.Join(" -> ", evolved.Ancestors.Reverse().Append(evolved.Self).Select(v => v.SourceMutationId is { } m ? $"{v.Version} (mutation {m.ToString()[..8]}, {mutation.Trigger})" : v.Version.ToString()))}");
Console.WriteLine($"  any version can come back: registry.RollbackAsync(\"{Workspace}\", \"{SlowSkill}\", {faster.Version.Major}.0.0)");

Console.WriteLine();
Console.WriteLine("7. What OpenTelemetry saw: each trace in which AutoDev learned or a person reviewed.");
telemetry.Print(services);

await host.StopAsync();
Console.WriteLine();
Console.WriteLine("Done.");
if (args.Contains("--serve"))
{
    var port = args.SkipWhile(a => a != "--port").Skip(1).Select(int.Parse).FirstOrDefault(5080);
    await DashboardServer.ServeAsync(database, Workspace, port);
}

return 0;

static void Row(string what, string parent, string child) => Console.WriteLine($"    {what,-22} {parent,-16} {child}");

bool Approve(string name)
{
    if (approveWithoutAsking)
    {
        Console.WriteLine($"  Approve {name}? yes (--yes)");
        return true;
    }

    if (Console.IsInputRedirected)
    {
        Console.WriteLine($"  Approve {name}? yes (no terminal to ask; as with --yes)");
        return true;
    }

    Console.Write($"  Approve {name}? [y/N] ");
    return Console.ReadLine()?.Trim().ToUpperInvariant() is "Y" or "YES";
}

static void Print(string code)
{
    foreach (var line in code.Split('\n'))
    {
        Console.WriteLine($"    | {line}");
    }
}

static string Upper(AgentMaturity maturity) => maturity.ToString().ToUpperInvariant();

static ValueTask Say(string line)
{
    Console.WriteLine(line);
    return default;
}
