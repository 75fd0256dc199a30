// A Microsoft Agent Framework agent whose one hand-written tool keeps failing a kind of request. AutoDev records the
// failed runs by itself, learns a skill from them, and offers it to the same agent, which calls it in its next run.
// Both models are scripted (no network): the agent's picks the first tool it knows among those offered; AutoDev's
// writes the skill. The sandbox is the strongest local tier.
using AutoDev;
using AutoDev.AgentFramework;
using AutoDev.Storage;
using AutoDev.Testing;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

const string Workspace = "acme";
const string AgentId = "invoice-agent";

var services = new ServiceCollection();
services.AddAutoDev(options =>
{
    options.EventDispatchMode = EventDispatchMode.Inline;
    options.Workspaces[Workspace] = new WorkspaceSettings { Enabled = true };
}).UseChatClient(new ScriptedChatClient(ScriptedAnswers.ExtractInvoiceId));
await using var provider = services.BuildServiceProvider();
await provider.GetRequiredService<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Workspace, AgentId = AgentId, Maturity = AgentMaturity.Intern }, CancellationToken.None);
var memento = provider.GetRequiredService<MementoLoop>();
await memento.StartAsync(CancellationToken.None);

var bus = provider.GetRequiredService<IEventBus>();
using var onCandidate = bus.Subscribe<SkillCandidateValidated>((e, _) =>
{
    Console.WriteLine(e.Candidate.Status == SkillCandidateStatus.Validated
        ? $"  [autodev] learned {e.Candidate.Name} from {e.Candidate.SourceEpisodeIds.Count} failed runs; its tests passed in the {e.Candidate.Validation?.Tier} sandbox"
        : $"  [autodev] candidate {e.Candidate.Name} failed: {e.Candidate.FailureReason}");
    return ValueTask.CompletedTask;
});

// The hand-written tool: it expects a CRM record the emails never have.
var lookupInvoice = AIFunctionFactory.Create(
    new Func<string, string>(text => throw new KeyNotFoundException("the email has no invoice_id field")),
    "lookup_invoice",
    "Looks up the invoice an email is about in the CRM.");
AIAgent agent = new ScriptedChatClient(AgentModel).AsAutoDevAgent(
    provider,
    new AgentIdentity(Workspace, AgentId),
    instructions: "You extract invoice ids from customer emails.",
    tools: [lookupInvoice]);

Console.WriteLine($"A ChatClientAgent ({AgentId}) with one tool, lookup_invoice, that keeps failing:");
foreach (var email in (string[])["Hi, invoice INV-2024-0042 is wrong", "Hi, invoice INV-2024-0077 is wrong"])
{
    var run = await agent.RunAsync($"Extract the invoice ID from the customer's email: {email}");
    Console.WriteLine($"  [run] \"{email}\" -> {run.Text}");
}

var review = provider.GetRequiredService<IReviewService>();
var pending = await review.ListPendingAsync(Workspace).FirstOrDefaultAsync();
if (pending is null)
{
    Console.WriteLine("Nothing was learned; see the lines above for why.");
    return 1;
}

await review.ApproveAsync(Workspace, pending.Candidate.Id, "reviewer", "approved in the sample");
Console.WriteLine($"  [review] {pending.Candidate.Name} approved: version 1.0.0");

Console.WriteLine("The same agent, its next run:");
var next = await agent.RunAsync("Extract the invoice ID from the customer's email: Hi, invoice INV-2024-0099 is wrong");
Console.WriteLine($"  [run] -> {next.Text}");
await memento.StopAsync(CancellationToken.None);
Console.WriteLine("Done.");
return 0;

// The agent's model, scripted: answers a tool's result with it; otherwise calls the first tool it knows among those
// offered, with the request as the text.
static Task<ChatResponse> AgentModel(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
{
    if (messages[^1].Contents.OfType<FunctionResultContent>().FirstOrDefault() is { } result)
    {
        return Task.FromResult(ScriptedChatClient.Text($"{result.Result?.ToString()?.Trim('"')}"));
    }

    var offered = options?.Tools?.Select(t => t.Name).ToList() ?? [];
    Console.WriteLine($"  [model] offered: {string.Join(", ", offered)}");
    var tool = ((string[])["extract_invoice_id", "lookup_invoice"]).First(offered.Contains);
    var request = messages.Last(m => m.Role == ChatRole.User).Text;
    return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(Guid.NewGuid().ToString("N"), tool, new Dictionary<string, object?> { ["text"] = request })])));
}
