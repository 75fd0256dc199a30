// The invoice sample: an agent of the "acme" workspace works on invoices. AutoDev records its episodes, graduates it
// from STUDENT to INTERN, and the capability gate decides what it may learn. Run: bash build/sample.sh
using AutoDev;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

const string Workspace = "acme";
const string AgentId = "invoice-agent";

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
    .AddDockerSandbox();
var chatProvider = AutoDev.Samples.Invoice.ChatProvider.Use(autodev, builder.Configuration);

using var host = builder.Build();
await host.StartAsync();

var services = host.Services;
var recorder = services.GetRequiredService<IEpisodeRecorder>();
var gate = services.GetRequiredService<ICapabilityGate>();
var bus = services.GetRequiredService<IEventBus>();

using var onUnlock = bus.Subscribe<CapabilityUnlocked>((e, _) =>
{
    Console.WriteLine($"  [{e.Type}] {e.Message}{(e.ActionRequired ? " (action required)" : string.Empty)}");
    return default;
});
using var onFailure = bus.Subscribe<TaskFailed>((e, _) =>
{
    Console.WriteLine($"  [task_failed] {e.AgentId}: \"{e.TaskDescription}\" — {e.ErrorTrace}");
    return default;
});

Console.WriteLine($"AutoDev invoice sample — workspace '{Workspace}', agent '{AgentId}'");
Console.WriteLine();
Console.WriteLine("1. The agent works through ten invoices; a person steps in twice.");
for (var i = 1; i <= 10; i++)
{
    var recorded = await recorder.RecordAsync(new Episode
    {
        TenantId = Workspace,
        AgentId = AgentId,
        TaskDescription = $"Create invoice for order {1000 + i}",
        Success = true,
        HumanIntervention = i is 3 or 7,
        ConstitutionalScore = 0.92,
        ToolsAttempted = ["crm.lookup", "invoice.create"],
    });
    var readiness = recorded.Graduation.Readiness;
    Console.WriteLine($"  episode {i,2}: maturity {recorded.Agent.Maturity.ToString().ToUpperInvariant(),-10} readiness for {readiness.Next?.ToString().ToUpperInvariant() ?? "-"} {readiness.Score:P0}");
}

Console.WriteLine();
Console.WriteLine("2. What may the agent learn now?");
foreach (var capability in new[] { CapabilityNames.MementoSkills, CapabilityNames.AlphaEvolver, CapabilityNames.BackgroundEvolution })
{
    var decision = await gate.CheckAsync(Workspace, AgentId, capability);
    Console.WriteLine($"  {capability,-22} {(decision.IsAllowed ? "allowed" : "refused")}: {decision.Reason}");
}

Console.WriteLine();
Console.WriteLine("3. The agent fails the same kind of task twice.");
foreach (var email in new[] { "Hi, invoice INV-2024-0042 is wrong", "Please resend invoice #INV-2024-0077" })
{
    await recorder.RecordAsync(new Episode
    {
        TenantId = Workspace,
        AgentId = AgentId,
        TaskDescription = "Extract invoice ID from customer emails",
        Success = false,
        ErrorTrace = "KeyError: 'invoice_id' — no tool extracts invoice ids from free text",
        ContextJson = System.Text.Json.JsonSerializer.Serialize(new { email }),
        ToolsAttempted = ["email.read", "crm.lookup"],
        ConstitutionalScore = 0.9,
    });
}

Console.WriteLine();
Console.WriteLine("4. Each new skill candidate reserves one use of the daily limit (3 for this workspace).");
for (var i = 1; i <= 4; i++)
{
    try
    {
        var reservation = await gate.ReserveAsync(Workspace, AgentId, CapabilityNames.MementoSkills);
        await reservation.CommitAsync();
        Console.WriteLine($"  candidate {i}: reserved");
    }
    catch (LimitExceededException ex)
    {
        Console.WriteLine($"  candidate {i}: refused — {ex.Message}");
    }
}

Console.WriteLine();
Console.WriteLine($"5. The model writes extract_invoice_id ({chatProvider}).");
var chat = services.GetRequiredService<IChatGateway>();
var answer = await chat.GetResponseAsync(
    new ChatCallContext(Workspace, "sample.write_skill") { AgentId = AgentId },
    [
        new(ChatRole.System, "You write one self-contained, typed, documented Python function with error handling. Answer with the code in a fenced block."),
        new(ChatRole.User, "Write extract_invoice_id(text: str) -> str that returns the invoice id (like INV-2024-0042) in a customer email, and raises ValueError when there is none."),
    ]);
if (!answer.Succeeded)
{
    Console.WriteLine($"  the call failed after {answer.Record.Attempts} attempts ({answer.Record.FailureKind}): {answer.Record.FailureReason}");
    await host.StopAsync();
    return 1;
}

var extracted = ModelAnswers.ExtractFunction(answer.Text, "extract_invoice_id");
if (!extracted.Succeeded)
{
    Console.WriteLine($"  the answer holds no usable function: {extracted.Reason}");
    await host.StopAsync();
    return 1;
}

var usage = await services.GetRequiredService<IChatCallStore>().GetUsageAsync(Workspace, DateOnly.FromDateTime(answer.Record.StartedAt.UtcDateTime), CancellationToken.None);
Console.WriteLine($"  {answer.Record.Attempts} attempt(s), {answer.Record.Duration.TotalMilliseconds:0} ms; tokens recorded for '{Workspace}' today: {usage.InputTokens} in, {usage.OutputTokens} out");
foreach (var line in extracted.Code.Split('\n'))
{
    Console.WriteLine($"  | {line}");
}

Console.WriteLine();
Console.WriteLine("6. The strongest local sandbox runs it on three emails, one without an id.");
var sandbox = services.GetRequiredService<ISandbox>();
foreach (var email in new[] { "Hi, invoice INV-2024-0042 is wrong", "Please resend invoice #INV-2024-0077", "No id here" })
{
    var result = await sandbox.ExecuteAsync(new SandboxRequest
    {
        TenantId = Workspace,
        Code = extracted.Code,
        EntryPoint = "extract_invoice_id",
        InputsJson = System.Text.Json.JsonSerializer.Serialize(new { text = email }),
    }, CancellationToken.None);
    var outcome = result.Succeeded ? $"-> {result.ReturnValue}" : $"{result.Status}: {result.Error?.Type}: {result.Error?.Message}";
    Console.WriteLine($"  [{result.Tier}, {result.Duration.TotalMilliseconds:0} ms] \"{email}\" {outcome}");
}

await host.StopAsync();
Console.WriteLine();
Console.WriteLine("Done. Turning failures into reviewed, versioned skills arrives with the Memento-Skills loop.");
return 0;
