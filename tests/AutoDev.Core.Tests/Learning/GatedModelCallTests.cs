using System.Net;
using AutoDev.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace AutoDev.Tests.Learning;

/// <summary>
/// Regression (failed model calls used up the daily candidate limit; a forged usage report spent the day's budget and
/// the gate still said "allowed"): a call without an answer gives its reservation back, an answer commits it, and no
/// call costs more than its bound.
/// </summary>
public sealed class GatedModelCallTests
{
    private const string Tenant = "acme";
    private const string Agent = "invoice-agent";
    private static readonly DateOnly Today = DateOnly.FromDateTime(new FakeTimeProvider().GetUtcNow().UtcDateTime);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Failures => ["503", "429", "401", "timeout", "dropped"];

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task AskAsync_CallWithoutAnAnswer_ReleasesTheReservation(string failure)
    {
        await using var services = await StartAsync((_, _, _) => throw failure switch
        {
            "503" => new HttpRequestException("unavailable", null, HttpStatusCode.ServiceUnavailable),
            "429" => new HttpRequestException("slow down", null, HttpStatusCode.TooManyRequests),
            "401" => new HttpRequestException("who are you", null, HttpStatusCode.Unauthorized),
            "timeout" => new TimeoutException("the attempt timed out"),
            _ => new IOException("connection reset by peer"),
        });

        var answer = await services.GetRequiredService<GatedModelCall>().AskAsync(Request(), Ct);

        Assert.False(answer.Succeeded);
        Assert.Equal(0, await UsedAsync(services));
    }

    [Fact]
    public async Task AskAsync_CircuitOpen_SendsNothingAndReleasesTheReservation()
    {
        var sent = 0;
        await using var services = await StartAsync(
            (_, _, _) =>
            {
                Interlocked.Increment(ref sent);
                throw new HttpRequestException("unavailable", null, HttpStatusCode.ServiceUnavailable);
            },
            chat => (chat.MaxRetryAttempts, chat.CircuitMinimumThroughput, chat.CircuitFailureRatio) = (0, 2, 0.5));
        var model = services.GetRequiredService<GatedModelCall>();
        await model.AskAsync(Request(), Ct);
        await model.AskAsync(Request(), Ct);
        var beforeRefusal = sent;

        var refused = await model.AskAsync(Request(), Ct);

        Assert.Equal(ChatFailureKind.CircuitOpen, refused.Failure?.Kind);
        Assert.Equal(beforeRefusal, sent);
        Assert.Equal(0, await UsedAsync(services));
    }

    [Fact]
    public async Task AskAsync_UnusableAnswer_CommitsTheReservation()
    {
        await using var services = await StartAsync((_, _, _) => Task.FromResult(ScriptedChatClient.Text("Sorry, I cannot help with that.")));

        var answer = await services.GetRequiredService<GatedModelCall>().AskAsync(Request(), Ct);

        Assert.True(answer.Succeeded);
        Assert.Equal(1, await UsedAsync(services));
        var usage = services.GetRequiredService<ICapabilityUsageStore>();
        Assert.False(await usage.TryReserveAsync(new CapabilityUsage { TenantId = Tenant, AgentId = Agent, Capability = CapabilityNames.MementoSkills, Day = Today }, 1, Ct));
    }

    [Fact]
    public async Task AskAsync_AnswerOverItsBound_IsChargedTheBound_AndTheGateThenReportsTheBudget()
    {
        // The reported usage of one answer exceeds the whole budget; the call's bound is 100 (prompt) + 64 + 500.
        var prompt = new string('x', 100);
        await using var services = await StartAsync(
            (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                Usage = new UsageDetails { InputTokenCount = 7, OutputTokenCount = 262_560, TotalTokenCount = 262_567 },
            }),
            chat => chat.MaxOutputTokens = 500,
            budget: 2_000);

        var answer = await services.GetRequiredService<GatedModelCall>().AskAsync(Request(prompt), Ct);

        Assert.Equal(507, answer.Record.TotalTokens);
        var decision = await services.GetRequiredService<ICapabilityGate>().CheckAsync(Tenant, Agent, CapabilityNames.MementoSkills, Ct);
        Assert.True(decision.IsAllowed);
        Assert.Equal(new TokenBudgetStatus(2_000, 507), decision.TokenBudget);
        Assert.Equal(1, decision.Used);
        Assert.Contains("1 of 5 used today, 1,493 of 2,000 tokens left today", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskAsync_BudgetCannotHoldTheBound_RefusesWithoutACallAndLogsAWarning()
    {
        var calls = 0;
        var logger = new FakeLogger<GatedModelCall>();
        await using var services = await StartAsync(
            (_, _, _) =>
            {
                calls++;
                return Task.FromResult(ScriptedChatClient.Text("ok"));
            },
            chat => chat.MaxOutputTokens = 1_000,
            budget: 1_000,
            configure: s => s.Replace(ServiceDescriptor.Singleton<ILogger<GatedModelCall>>(logger)));

        var refused = await Assert.ThrowsAsync<TokenBudgetExceededException>(() => services.GetRequiredService<GatedModelCall>().AskAsync(Request("hello"), Ct));

        Assert.Equal(1_069, refused.Bound);
        Assert.Contains("less than the call's bound of 1,069 tokens", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, calls);
        Assert.Equal(0, await UsedAsync(services));
        Assert.Contains(logger.Collector.GetSnapshot(), e => e.Level == LogLevel.Warning && e.Message.Contains("may cost up to 1069", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckAsync_BudgetSpent_IsARefusalThatSaysSo()
    {
        await using var services = await StartAsync((_, _, _) => Task.FromResult(ScriptedChatClient.Text("ok")), budget: 1_000);
        await services.GetRequiredService<IChatCallStore>().AddAsync(
            new ChatCallRecord { TenantId = Tenant, Purpose = "earlier", StartedAt = new FakeTimeProvider().GetUtcNow(), Succeeded = true, TotalTokens = 1_000 }, Ct);

        var decision = await services.GetRequiredService<ICapabilityGate>().CheckAsync(Tenant, Agent, CapabilityNames.MementoSkills, Ct);

        Assert.Equal(GateDenial.TokenBudgetSpent, decision.Denial);
        Assert.Equal("'memento_skills' is refused: the workspace used 1,000 of its daily token budget of 1,000; raise 'daily_token_budget' or wait until 00:00 UTC.", decision.Reason);
    }

    private static GatedModelRequest Request(string prompt = "write a skill") =>
        new(Tenant, Agent, CapabilityNames.MementoSkills, PromptNames.MementoGenerate, prompt);

    private static async ValueTask<int> UsedAsync(IServiceProvider services) =>
        await services.GetRequiredService<ICapabilityUsageStore>().CountAsync(Tenant, CapabilityNames.MementoSkills, Agent, Today, Ct);

    private static async Task<ServiceProvider> StartAsync(
        Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> respond,
        Action<ChatResilienceOptions>? chat = null,
        long budget = WorkspaceSettings.DefaultDailyTokenBudget,
        Action<IServiceCollection>? configure = null)
    {
        var services = TestHost.Create(builder =>
        {
            builder.UseChatClient(new ScriptedChatClient(respond)).ConfigureChat(o =>
            {
                o.RetryBaseDelay = TimeSpan.Zero;
                o.MaxRetryAttempts = 1;
                chat?.Invoke(o);
            });
            configure?.Invoke(builder.Services);
        });
        await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync(Tenant, new WorkspaceSettings { Enabled = true, DailyTokenBudget = budget }, Ct);
        await services.AddAgentAsync(Tenant, Agent, AgentMaturity.Intern);
        return services;
    }
}
