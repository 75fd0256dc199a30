using AutoDev;
using AutoDev.Storage;
using AutoDev.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddAutoDev(builder.Configuration, options =>
    options.Workspaces["acme"] = new WorkspaceSettings { Enabled = true });

using var host = builder.Build();
await host.StartAsync();

// An agent built on IChatClient, with one line more: UseAutoDev() offers it the workspace's learned skills as
// tools, and records every run that called tools as an episode, failed or succeeded.
using var agent = new ChatClientBuilder(AgentModel())
    .UseAutoDev()
    .UseFunctionInvocation()
    .Build(host.Services);

// Each request says which workspace and agent it belongs to.
var options = new ChatOptions
{
    Tools = [AIFunctionFactory.Create(LookUpInvoice, "lookup_invoice")],
    AdditionalProperties = new() { [AgentIdentity.OptionsKey] = new AgentIdentity("acme", "invoice-agent") },
};
var answer = await agent.GetResponseAsync("Extract the invoice ID from: Hi, invoice INV-2024-0042 is wrong", options);
Console.WriteLine($"agent: {answer.Text}");

// The failed run is an episode now. Two of one kind make Memento-Skills write a skill, which waits for review;
// whether this agent may learn is the capability gate's decision.
var episodes = host.Services.GetRequiredService<IEpisodeStore>();
await foreach (var failed in episodes.ListRecentAsync("acme", "invoice-agent", success: false, 10, CancellationToken.None))
{
    Console.WriteLine($"recorded: {failed.ErrorTrace}");
}

var gate = host.Services.GetRequiredService<ICapabilityGate>();
var decision = await gate.CheckAsync("acme", "invoice-agent", CapabilityNames.MementoSkills);
Console.WriteLine($"gate: {decision.Reason}");

await host.StopAsync();

// The agent's hand-written tool, which fails on these emails.
static string LookUpInvoice(string text) => throw new KeyNotFoundException("the email has no invoice_id field");

// Your model goes here (an OpenAI, Azure OpenAI or Ollama IChatClient). This one is scripted: it calls the first
// tool it is offered with the request, then answers with what the tool returned.
static IChatClient AgentModel() => new ScriptedChatClient((messages, options, _) => Task.FromResult(
    messages[^1].Contents.OfType<FunctionResultContent>().FirstOrDefault() is { } result
        ? new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{result.Result}"))
        : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", options!.Tools![0].Name, new Dictionary<string, object?> { ["text"] = messages[^1].Text })]))));
