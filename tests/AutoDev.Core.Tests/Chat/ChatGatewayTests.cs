using AutoDev.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AutoDev.Tests.Chat;

/// <summary>The gateway's logic with scripted clients; the adapters' tests cover it over real HTTP.</summary>
public sealed class ChatGatewayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Success_RecordsUsage_AndComputesTotalWhenTheServiceGivesNone()
    {
        var client = new ScriptedChatClient((_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hi"))
        {
            Usage = new UsageDetails { InputTokenCount = 4, OutputTokenCount = 6 },
        }));
        await using var services = Create(client);

        var result = await Gateway(services).GetResponseAsync(new ChatCallContext("acme", "test"), [new(ChatRole.User, "x")], cancellationToken: Ct);

        Assert.True(result.Succeeded);
        Assert.Equal(10, result.Record.TotalTokens);
        Assert.Single(await services.GetRequiredService<IChatCallStore>().ListRecentAsync("acme", 5, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task UnexpectedException_IsRecordedAsAFailure_NotThrown()
    {
        var client = new ScriptedChatClient((_, _, _) => throw new FormatException("bad template"));
        await using var services = Create(client);

        var result = await Gateway(services).GetResponseAsync(new ChatCallContext("acme", "test"), [new(ChatRole.User, "x")], cancellationToken: Ct);

        Assert.False(result.Succeeded);
        Assert.Equal(ChatFailureKind.Other, result.Record.FailureKind);
        Assert.Contains("bad template", result.Record.FailureReason, StringComparison.Ordinal);
        Assert.Equal(1, result.Record.Attempts);
    }

    [Fact]
    public async Task RepeatedTransientFailures_OpenTheCircuit_WhichThenRefusesWithoutCalling()
    {
        var client = new ScriptedChatClient((_, _, _) => throw new ChatServiceException(ChatFailureKind.ServerError, "503", 503));
        await using var services = Create(client, o =>
        {
            o.MaxRetryAttempts = 0;
            o.CircuitMinimumThroughput = 2;
        });
        var gateway = Gateway(services);

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(ChatFailureKind.ServerError, (await gateway.GetResponseAsync(new ChatCallContext("acme", "test"), [new(ChatRole.User, "x")], cancellationToken: Ct)).Record.FailureKind);
        }

        var refused = await gateway.GetResponseAsync(new ChatCallContext("acme", "test"), [new(ChatRole.User, "x")], cancellationToken: Ct);

        Assert.Equal(ChatFailureKind.CircuitOpen, refused.Record.FailureKind);
        Assert.Equal(0, refused.Record.Attempts);
        Assert.Equal(2, client.Calls.Count);
    }

    [Fact]
    public async Task Cancellation_DuringTheBackOff_StopsAtOnce()
    {
        var time = new FakeTimeProvider();
        var client = new ScriptedChatClient((_, _, _) => throw new ChatServiceException(ChatFailureKind.RateLimited, "429", 429, TimeSpan.FromMinutes(1)));
        await using var services = Create(client, o => o.MaxRetryDelay = TimeSpan.FromMinutes(5), time);
        using var cancel = new CancellationTokenSource();

        var call = Gateway(services).GetResponseAsync(new ChatCallContext("acme", "test"), [new(ChatRole.User, "x")], cancellationToken: cancel.Token);
        Assert.Single(client.Calls);
        Assert.False(call.IsCompleted, "the gateway should be waiting a minute, as Retry-After said");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(client.Calls);
    }

    [Fact]
    public async Task InvalidOptions_FailWithWhatToChange()
    {
        await using var services = Create(new ScriptedChatClient("x"), o => o.MaxRetryAttempts = 50);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ChatResilienceOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains(nameof(ChatResilienceOptions.MaxRetryAttempts), StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostsOwnUnkeyedClient_IsUsedUntilAutoDevGetsOneOfItsOwn()
    {
        var hosts = new ScriptedChatClient("host");
        var services = new ServiceCollection().AddSingleton<IChatClient>(hosts);
        var builder = services.AddAutoDev();
        await using (var provider = services.BuildServiceProvider())
        {
            Assert.Same(hosts, AutoDevChatClient.Resolve(provider));
        }

        var autodevs = new ScriptedChatClient("autodev");
        builder.UseChatClient(autodevs);
        await using var second = services.BuildServiceProvider();

        Assert.Same(autodevs, AutoDevChatClient.Resolve(second));
        Assert.Same(hosts, second.GetRequiredService<IChatClient>());
    }

    [Theory]
    [InlineData("2", 2000)]
    [InlineData("0.5", 500)]
    [InlineData("Sun, 01 Mar 2026 12:00:30 GMT", 30000)]
    [InlineData("Sun, 01 Mar 2026 11:00:00 GMT", 0)]
    public void ParseRetryAfter_ReadsSecondsAndDates(string value, int milliseconds)
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ChatServiceException.ParseRetryAfter(value, now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-3")]
    public void ParseRetryAfter_Garbage_IsNull(string? value) =>
        Assert.Null(ChatServiceException.ParseRetryAfter(value, DateTimeOffset.UnixEpoch));

    private static IChatGateway Gateway(IServiceProvider services) => services.GetRequiredService<IChatGateway>();

    private static ServiceProvider Create(IChatClient client, Action<ChatResilienceOptions>? configure = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddAutoDev().UseChatClient(client).ConfigureChat(o =>
        {
            o.RetryBaseDelay = TimeSpan.Zero;
            configure?.Invoke(o);
        });
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        return services.BuildServiceProvider();
    }
}
