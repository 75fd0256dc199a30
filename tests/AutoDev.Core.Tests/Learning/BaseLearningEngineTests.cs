using AutoDev.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AutoDev.Tests.Learning;

/// <summary>A loop of a host's own: generate (analyze, then propose through the gated model call), validate later in the sandbox.</summary>
public sealed class BaseLearningEngineTests
{
    private const string Tenant = "acme";
    private const string Agent = "math-agent";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Generate_AnalyzesThenProposes_AndValidateRunsTheProposalInTheSandbox()
    {
        var chat = new ScriptedChatClient("Sure:\n```python\ndef double(x):\n    return 2 * x\n```");
        var sandbox = new FakeSandbox().Enqueue(FakeSandbox.Success(8));
        await using var services = await StartAsync(chat, sandbox, AgentMaturity.Intern);
        var engine = ActivatorUtilities.CreateInstance<DoublingEngine>(services);

        var proposal = await engine.GenerateDoublingAsync(4, Ct);
        var validation = await engine.CheckAsync(proposal, Ct);

        Assert.Equal("def double(x):\n    return 2 * x", proposal);
        Assert.Equal(["analyze", "propose", "validate"], engine.Steps);
        Assert.Equal("double 4", Assert.Single(chat.Calls).Messages.Single().Text);
        Assert.Equal("""{"x":4}""", Assert.Single(sandbox.Requests).InputsJson);
        Assert.True(validation.Passed);
        Assert.Null(validation.FailureReason);
        Assert.Equal([("compiles", 1.0), ("executed", 1.0)], validation.Signals.Select(s => (s.Name, s.Value)));
    }

    [Theory]
    [InlineData(SandboxStatus.SyntaxError, new string[0])]
    [InlineData(SandboxStatus.Failed, new[] { "compiles" })]
    [InlineData(SandboxStatus.TimedOut, new[] { "compiles" })]
    public async Task Validate_SandboxFailure_FailsWithReasonAndProxySignals(SandboxStatus status, string[] signals)
    {
        var sandbox = new FakeSandbox().Enqueue(FakeSandbox.Failure(status, "ValueError", "bad value"));
        await using var services = await StartAsync(new ScriptedChatClient("def double(x): return x"), sandbox, AgentMaturity.Intern);
        var engine = ActivatorUtilities.CreateInstance<DoublingEngine>(services);

        var validation = await engine.CheckAsync(await engine.GenerateDoublingAsync(1, Ct), Ct);

        Assert.False(validation.Passed);
        Assert.Equal($"{status}: ValueError: bad value", validation.FailureReason);
        Assert.Equal(signals, validation.Signals.Select(s => s.Name));
    }

    [Fact]
    public async Task Generate_ForAStudent_IsRefusedByTheGate_BeforeAnyModelCall()
    {
        var chat = new ScriptedChatClient("def double(x): return 2 * x");
        await using var services = await StartAsync(chat, new FakeSandbox(), AgentMaturity.Student);
        var engine = ActivatorUtilities.CreateInstance<DoublingEngine>(services);

        var refusal = await Assert.ThrowsAsync<CapabilityDeniedException>(() => engine.GenerateDoublingAsync(1, Ct));

        Assert.Equal(GateDenial.MaturityTooLow, refusal.Decision.Denial);
        Assert.Empty(chat.Calls);
        Assert.Equal(["analyze", "propose"], engine.Steps);
    }

    [Fact]
    public async Task Generate_NoChatClientRegistered_IsAFailedCallSayingWhatToRegister()
    {
        await using var services = await StartAsync(null, new FakeSandbox(), AgentMaturity.Intern);
        var engine = ActivatorUtilities.CreateInstance<DoublingEngine>(services);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => engine.GenerateDoublingAsync(1, Ct));

        Assert.Contains("AddOpenAIChatClient", error.Message, StringComparison.Ordinal);
    }

    private static async Task<ServiceProvider> StartAsync(ScriptedChatClient? chat, FakeSandbox sandbox, AgentMaturity maturity)
    {
        var services = TestHost.Create(b =>
        {
            b.UseSandbox(sandbox);
            if (chat is not null)
            {
                b.UseChatClient(chat);
            }
        });
        await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync(Tenant, new WorkspaceSettings { Enabled = true }, Ct);
        await services.AddAgentAsync(Tenant, Agent, maturity);
        return services;
    }

    /// <summary>A minimal engine: asks the model for a doubling function, then runs it once.</summary>
    private sealed class DoublingEngine(GatedModelCall model, ISandbox sandbox, TimeProvider timeProvider, ILogger<DoublingEngine> logger)
        : BaseLearningEngine<int, string, string>(model, sandbox, timeProvider, logger)
    {
        private int _input;

        public List<string> Steps { get; } = [];

        public Task<string> GenerateDoublingAsync(int x, CancellationToken cancellationToken) => GenerateAsync(x, cancellationToken);

        public Task<LearningValidation> CheckAsync(string proposal, CancellationToken cancellationToken) => ValidateAsync(proposal, cancellationToken);

        protected override Task<string> AnalyzeAsync(int request, CancellationToken cancellationToken)
        {
            Steps.Add("analyze");
            _input = request;
            return Task.FromResult($"double {request}");
        }

        protected override async Task<string> ProposeAsync(string analysis, CancellationToken cancellationToken)
        {
            Steps.Add("propose");
            var answer = await Model.AskAsync(new GatedModelRequest(Tenant, Agent, CapabilityNames.MementoSkills, "test.double", analysis), cancellationToken);
            return StripMarkdownFences(answer.Text);
        }

        protected override async Task<LearningValidation> ValidateAsync(string proposal, CancellationToken cancellationToken)
        {
            Steps.Add("validate");
            var result = await Sandbox.ExecuteAsync(new SandboxRequest { TenantId = Tenant, Code = proposal, EntryPoint = "double", InputsJson = $$"""{"x":{{_input}}}""" }, cancellationToken);
            return LearningValidation.FromSandbox(result);
        }
    }
}
