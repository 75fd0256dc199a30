using AutoDev.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests.Learning;

public sealed class BaseLearningEngineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_AnalyzesProposesAndValidatesInOrder()
    {
        var chat = new ScriptedChatClient("Sure:\n```python\ndef double(x):\n    return 2 * x\n```");
        var sandbox = new FakeSandbox().Enqueue(FakeSandbox.Success(8));
        await using var services = TestHost.Create(b => b.UseSandbox(sandbox).Services.AddSingleton<IChatClient>(chat));
        var engine = new DoublingEngine(services.GetRequiredService<LearningEngineServices>());

        var outcome = await engine.RunAsync(4, Ct);

        Assert.Equal("double 4", outcome.Analysis);
        Assert.Equal("def double(x):\n    return 2 * x", outcome.Proposal);
        Assert.True(outcome.Validation.Passed);
        Assert.Equal([FitnessSignalNames.Compiles, FitnessSignalNames.Executed], outcome.Validation.Signals.Select(s => s.Name));
        Assert.Equal("double 4", Assert.Single(chat.Calls).Messages.Single().Text);
        Assert.Equal("""{"x":4}""", Assert.Single(sandbox.Requests).InputsJson);
        Assert.Equal(["analyze", "propose", "validate"], engine.Steps);
    }

    [Theory]
    [InlineData(SandboxStatus.SyntaxError, new string[0])]
    [InlineData(SandboxStatus.Failed, new[] { FitnessSignalNames.Compiles })]
    [InlineData(SandboxStatus.TimedOut, new[] { FitnessSignalNames.Compiles })]
    public async Task RunAsync_SandboxFailure_FailsWithReasonAndProxySignals(SandboxStatus status, string[] signals)
    {
        var sandbox = new FakeSandbox().Enqueue(FakeSandbox.Failure(status, "ValueError", "bad value"));
        await using var services = TestHost.Create(b => b.UseSandbox(sandbox).Services.AddSingleton<IChatClient>(new ScriptedChatClient("def double(x): return x")));
        var engine = new DoublingEngine(services.GetRequiredService<LearningEngineServices>());

        var outcome = await engine.RunAsync(1, Ct);

        Assert.False(outcome.Validation.Passed);
        Assert.Equal($"{status}: ValueError: bad value", outcome.Validation.FailureReason);
        Assert.Equal(signals, outcome.Validation.Signals.Select(s => s.Name));
    }

    [Fact]
    public async Task RunAsync_NoChatClientRegistered_ThrowsSayingWhatToRegister()
    {
        await using var services = TestHost.Create(b => b.UseSandbox(new FakeSandbox()));
        var engine = new DoublingEngine(services.GetRequiredService<LearningEngineServices>());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await engine.RunAsync(1, Ct));

        Assert.Contains("AddOpenAIChatClient", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A minimal engine: asks the model for a doubling function and runs it once.</summary>
    private sealed class DoublingEngine(LearningEngineServices services) : BaseLearningEngine<int, string, string>(services)
    {
        private int _input;

        public List<string> Steps { get; } = [];

        protected override Task<string> AnalyzeAsync(int request, CancellationToken cancellationToken)
        {
            Steps.Add("analyze");
            _input = request;
            return Task.FromResult($"double {request}");
        }

        protected override async Task<string> ProposeAsync(string analysis, CancellationToken cancellationToken)
        {
            Steps.Add("propose");
            var response = await ChatClient.GetResponseAsync(analysis, cancellationToken: cancellationToken);
            return StripMarkdownFences(response.Text);
        }

        protected override async Task<LearningValidation> ValidateAsync(string proposal, CancellationToken cancellationToken)
        {
            Steps.Add("validate");
            var result = await Sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = proposal, EntryPoint = "double", InputsJson = $$"""{"x":{{_input}}}""" }, cancellationToken);
            Assert.Equal(LearningValidation.FromSandbox(result).Signals, ProxySignals(result));
            return LearningValidation.FromSandbox(result);
        }
    }
}
