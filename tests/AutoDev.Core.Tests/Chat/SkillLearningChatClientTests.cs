using AutoDev.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using AutoDev.Tests.Learning.Memento;
using static AutoDev.Tests.Learning.Memento.MementoHost;

namespace AutoDev.Tests.Chat;

/// <summary>
/// <c>UseAutoDev()</c> in an agent's own chat pipeline, with Microsoft.Extensions.AI's function invocation, the real
/// sandbox, and a scripted agent model that calls the first tool it is offered whose name it knows.
/// </summary>
public sealed class SkillLearningChatClientTests
{
    private const string Request = "Extract the invoice ID from the customer's email about invoice INV-2024-";

    private static readonly AgentIdentity Identity = new(Tenant, Agent);

    [Fact]
    public async Task AToolThatKeepsFailing_BecomesASkill_ThatTheSameAgentIsThenOffered_AndCalls()
    {
        await using var host = await StartAsync();
        var agentModel = new ScriptedChatClient(AgentModel("extract_invoice_id", "lookup_invoice"));
        using var agent = new ChatClientBuilder(agentModel).UseAutoDev().UseFunctionInvocation().Build(host.Services);
        var lookup = AIFunctionFactory.Create(new Func<string, string>(text => throw new KeyNotFoundException("the email has no invoice_id field")), "lookup_invoice", "Looks the invoice up in the CRM.");

        foreach (var id in (string[])["0042", "0077"])
        {
            await agent.GetResponseAsync(Request + id, Options(lookup), Ct);
        }

        var failures = await host.Get<IEpisodeStore>().ListRecentAsync(Tenant, Agent, success: false, 10, Ct).ToListAsync(Ct);
        Assert.Equal(2, failures.Count);
        Assert.All(failures, f =>
        {
            Assert.StartsWith(Request, f.TaskDescription, StringComparison.Ordinal);
            Assert.Equal("KeyNotFoundException: the email has no invoice_id field", f.ErrorTrace);
            Assert.Equal(["lookup_invoice"], f.ToolsAttempted);
            Assert.StartsWith("{\"text\":\"", f.ContextJson, StringComparison.Ordinal);
            Assert.False(Assert.Single(f.Segments).Success);
        });

        var candidate = Assert.Single(await host.CandidatesAsync());
        Assert.True(candidate.Status == SkillCandidateStatus.Validated, candidate.FailureReason);
        await host.Get<IReviewService>().ApproveAsync(Tenant, candidate.Id, "alice", cancellationToken: Ct);

        var answer = await agent.GetResponseAsync(Request + "0099", Options(lookup), Ct);

        // The model saw only the host's tool before the skill existed, and the skill once it was promoted, without a restart.
        Assert.Equal(["lookup_invoice"], agentModel.Calls[0].Options!.Tools!.Select(t => t.Name));
        Assert.Equal(["lookup_invoice", "extract_invoice_id"], agentModel.Calls[^2].Options!.Tools!.Select(t => t.Name));
        Assert.Equal("done: INV-2024-0099", answer.Text);
        var success = Assert.Single(await host.Get<IEpisodeStore>().ListRecentAsync(Tenant, Agent, success: true, 10, Ct).ToListAsync(Ct));
        Assert.Equal(["extract_invoice_id"], success.ToolsAttempted);
    }

    [Fact]
    public async Task TheModelSees_TheCallersOptions_WithoutTheIdentity_AndTheCallersOptionsAreNotChanged()
    {
        await using var host = await StartAsync();
        var agentModel = new ScriptedChatClient((_, _, _) => Task.FromResult(ScriptedChatClient.Text("hello")));
        using var agent = new ChatClientBuilder(agentModel).UseAutoDev().Build(host.Services);
        var options = Options();
        options.AdditionalProperties!["trace"] = "kept";
        options.Temperature = 0.3f;

        await agent.GetResponseAsync("hi", options, Ct);

        var seen = Assert.Single(agentModel.Calls).Options!;
        Assert.False(seen.AdditionalProperties!.ContainsKey(AgentIdentity.OptionsKey));
        Assert.Equal("kept", seen.AdditionalProperties["trace"]);
        Assert.Equal(0.3f, seen.Temperature);
        Assert.Same(Identity, options.AdditionalProperties[AgentIdentity.OptionsKey]);
        Assert.Null(options.Tools);
        Assert.Empty(await host.Get<IEpisodeStore>().ListRecentAsync(Tenant, Agent, success: null, 10, Ct).ToListAsync(Ct)); // no tool was called
    }

    [Fact]
    public async Task ARequestWithNoAgent_IsPassedOnUntouched_AndRecordedNowhere()
    {
        await using var host = await StartAsync();
        await RegisterAsync(host);
        var agentModel = new ScriptedChatClient(AgentModel("extract_invoice_id"));
        using var agent = new ChatClientBuilder(agentModel).UseAutoDev().UseFunctionInvocation().Build(host.Services);
        var options = new ChatOptions();

        var answer = await agent.GetResponseAsync(Request + "0042", options, Ct);

        Assert.Equal("no tool", answer.Text);
        Assert.Null(agentModel.Calls[0].Options!.Tools);
        Assert.Empty(await host.Get<IEpisodeStore>().ListRecentAsync(Tenant, Agent, success: null, 10, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task TheAgentComesFromTheHostsAccessor_WhenTheRequestCarriesNone_AndARegisteredSkillIsOfferedAtOnce()
    {
        await using var host = await StartAsync();
        var agentModel = new ScriptedChatClient(AgentModel("extract_invoice_id"));
        using var agent = new ChatClientBuilder(agentModel).UseAutoDev(o => o.Identify = _ => Identity).UseFunctionInvocation().Build(host.Services);
        await agent.GetResponseAsync(Request + "0042", new ChatOptions(), Ct); // caches "no skills"

        await RegisterAsync(host);
        var answer = await agent.GetResponseAsync(Request + "0042", new ChatOptions(), Ct);

        Assert.Equal("done: INV-2024-0042", answer.Text);
        Assert.Single(await host.Get<IEpisodeStore>().ListRecentAsync(Tenant, Agent, success: true, 10, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task ASkillThatFailsWhenTheAgentCallsIt_IsAFailedEpisode_AndASkillExecutedWithTheFailure()
    {
        await using var host = await StartAsync();
        await RegisterAsync(host);
        var executed = new List<SkillExecuted>();
        using var subscription = host.Get<IEventBus>().Subscribe<SkillExecuted>((e, _) =>
        {
            executed.Add(e);
            return ValueTask.CompletedTask;
        });
        using var agent = new ChatClientBuilder(new ScriptedChatClient(AgentModel("extract_invoice_id"))).UseAutoDev().UseFunctionInvocation().Build(host.Services);

        await agent.GetResponseAsync("Extract the invoice ID from the customer's email about their order", Options(), Ct);

        Assert.False(Assert.Single(executed).Success);
        var failure = Assert.Single(await host.Get<IEpisodeStore>().ListRecentAsync(Tenant, Agent, success: false, 10, Ct).ToListAsync(Ct));
        Assert.StartsWith($"{SkillLearningChatClient.SkillFailurePrefix}: Failed: ValueError: no invoice id in the text", failure.ErrorTrace, StringComparison.Ordinal);
        Assert.Equal(["extract_invoice_id"], failure.ToolsAttempted);
    }

    [Fact]
    public async Task ARunThatRaisesWhatTheSkillsTestsExpect_IsARefusal_AndStartsNoMutation_ButAnotherErrorIsAFailure()
    {
        await using var host = await StartAsync(maturity: AgentMaturity.Supervised);
        var skill = host.Get<ISkillRegistry>();
        await skill.RegisterAsync(
            Tenant,
            "extract_invoice_id",
            ModelAnswers.ExtractFunction(GoodAnswer, "extract_invoice_id").Code!,
            "extract_invoice_id",
            """[{"inputs": {"text": "Hi, invoice INV-2024-0042 is wrong"}, "expected": "INV-2024-0042"}, {"inputs": {"text": "Where is my order?"}, "raises": "ValueError"}]""",
            cancellationToken: Ct);
        var executed = new List<SkillExecuted>();
        using var subscription = host.Get<IEventBus>().Subscribe<SkillExecuted>((e, _) =>
        {
            executed.Add(e);
            return ValueTask.CompletedTask;
        });
        var runner = host.Get<ISkillRunner>();

        await runner.RunAsync(new SkillRunRequest { TenantId = Tenant, AgentId = Agent, SkillName = "extract_invoice_id", InputsJson = """{"text": "Where is my order?"}""" }, Ct);
        await runner.RunAsync(new SkillRunRequest { TenantId = Tenant, AgentId = Agent, SkillName = "extract_invoice_id", InputsJson = """{"text": 42}""" }, Ct);

        Assert.Equal(("ValueError", true), (executed[0].ErrorType, executed[0].RefusedAsTested));
        Assert.Equal(("TypeError", false), (executed[1].ErrorType, executed[1].RefusedAsTested));
        Assert.False(executed[0].Success || executed[1].Success);
        Assert.Null(MutationTriggerDetector.TriggerOf(executed[0], new EvolutionOptions()));
        Assert.Equal(MutationTrigger.Failure, MutationTriggerDetector.TriggerOf(executed[1], new EvolutionOptions()));
    }

    [Fact]
    public async Task AnEpisodeStoreThatThrows_NeverFailsTheChatRequest()
    {
        await using var host = await StartAsync(configure: s => s.Replace(ServiceDescriptor.Singleton<IEpisodeRecorder>(new ThrowingRecorder())));
        var lookup = AIFunctionFactory.Create(new Func<string, string>(text => throw new KeyNotFoundException("no field")), "lookup_invoice", "Looks the invoice up in the CRM.");
        using var agent = new ChatClientBuilder(new ScriptedChatClient(AgentModel("lookup_invoice"))).UseAutoDev().UseFunctionInvocation().Build(host.Services);

        var answer = await agent.GetResponseAsync(Request + "0042", Options(lookup), Ct);

        Assert.StartsWith("done: ", answer.Text, StringComparison.Ordinal);
    }

    private static ChatOptions Options(params AITool[] tools) => new()
    {
        Tools = tools.Length == 0 ? null : [.. tools],
        AdditionalProperties = new() { [AgentIdentity.OptionsKey] = Identity },
    };

    private static Task<SkillVersion> RegisterAsync(MementoHost host) => host.Get<ISkillRegistry>().RegisterAsync(
        Tenant,
        "extract_invoice_id",
        ModelAnswers.ExtractFunction(GoodAnswer, "extract_invoice_id").Code!,
        "extract_invoice_id",
        """[{"inputs": {"text": "Hi, invoice INV-2024-0042 is wrong"}, "expected": "INV-2024-0042"}]""",
        "Returns the invoice id in a text.",
        Ct);

    /// <summary>
    /// An agent model: answers a tool result with <c>done: result</c>; otherwise calls the first of
    /// <paramref name="preferred"/> it is offered with the request's last words as <c>text</c>, or says <c>no tool</c>.
    /// </summary>
    private static Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> AgentModel(params string[] preferred) => (messages, options, _) =>
    {
        if (messages[^1].Contents.OfType<FunctionResultContent>().FirstOrDefault() is { } result)
        {
            return Task.FromResult(ScriptedChatClient.Text($"done: {result.Result?.ToString()?.Trim('"')}"));
        }

        var offered = options?.Tools?.Select(t => t.Name).ToHashSet() ?? [];
        if (preferred.FirstOrDefault(offered.Contains) is not { } tool)
        {
            return Task.FromResult(ScriptedChatClient.Text("no tool"));
        }

        var text = messages[^1].Text;
        var call = new FunctionCallContent(Guid.NewGuid().ToString("N"), tool, new Dictionary<string, object?> { ["text"] = text });
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])));
    };

    private sealed class ThrowingRecorder : IEpisodeRecorder
    {
        public ValueTask<EpisodeRecorded> RecordAsync(Episode episode, CancellationToken cancellationToken = default) => throw new InvalidOperationException("the episode store is down");
    }
}
