using AutoDev.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AutoDev.Tests.DependencyInjection;

public sealed class AutoDevServiceCollectionExtensionsTests
{
    [Fact]
    public void AddAutoDev_CalledTwice_RegistersEachServiceOnce()
    {
        var services = new ServiceCollection();
        services.AddAutoDev();
        var once = Counts(services);

        services.AddAutoDev();
        var twice = Counts(services);

        // Only the options delegate may be added again (a second call may configure more); nothing else changes.
        var changed = twice.Where(t => !once.TryGetValue(t.Key, out var count) || count != t.Value).Select(t => t.Key).ToList();
        Assert.True(changed.All(t => t == typeof(IConfigureOptions<AutoDevOptions>)), "Registered again: " + string.Join(", ", changed.Select(t => t.Name)));
        using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().Select(h => h.GetType()).ToList();
        Assert.Equal(hosted.Distinct(), hosted);
        Assert.Contains(typeof(MementoLoop), hosted);
        var functions = provider.GetServices<IFitnessFunction>().Select(f => f.GetType()).ToList();
        Assert.Equal(functions.Distinct(), functions);
    }

    private static Dictionary<Type, int> Counts(IServiceCollection services) =>
        services.GroupBy(d => d.ServiceType).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void AddAutoDev_Defaults_ResolveWithTieredSandboxAndWithoutChatClient()
    {
        using var provider = new ServiceCollection().AddAutoDev().Services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        Assert.IsType<CapabilityGate>(provider.GetRequiredService<ICapabilityGate>());
        Assert.IsType<EventBus>(provider.GetRequiredService<IEventBus>());
        Assert.IsType<InMemorySkillStore>(provider.GetRequiredService<ISkillStore>());
        Assert.Contains("IChatClient", Assert.Throws<InvalidOperationException>(() => AutoDevChatClient.Resolve(provider)).Message, StringComparison.Ordinal);
        Assert.IsType<TieredSandbox>(provider.GetRequiredService<ISandbox>());
        Assert.Equal([SandboxTiers.Bubblewrap, SandboxTiers.Process], provider.GetServices<ISandboxTier>().Select(t => t.Tier).Order());
    }

    [Fact]
    public void UseSandbox_ReplacesAndIsIdempotent()
    {
        var sandbox = new FakeSandbox();
        var builder = new ServiceCollection().AddAutoDev();

        builder.UseSandbox(new FakeSandbox()).UseSandbox(sandbox);

        Assert.Single(builder.Services, d => d.ServiceType == typeof(ISandbox));
        using var provider = builder.Services.BuildServiceProvider();
        Assert.Same(sandbox, provider.GetRequiredService<ISandbox>());
    }

    [Fact]
    public async Task AddAutoDev_Configuration_BindsSectionIncludingSnakeCaseWorkspaces()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AutoDev:FailureThreshold"] = "3",
            ["AutoDev:EventDispatchMode"] = "Inline",
            ["AutoDev:CustomCapabilities:send_email"] = "Supervised",
            ["AutoDev:Workspaces:acme:enabled"] = "true",
            ["AutoDev:Workspaces:acme:max_mutations_per_day"] = "20",
            ["AutoDev:Workspaces:acme:alpha_evolver"] = "false",
        }).Build();
        var services = new ServiceCollection();
        services.AddAutoDev(configuration);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AutoDevOptions>>().Value;
        var settings = await provider.GetRequiredService<IWorkspaceStore>().GetSettingsAsync("acme", TestContext.Current.CancellationToken);

        Assert.Equal(3, options.FailureThreshold);
        Assert.Equal(EventDispatchMode.Inline, options.EventDispatchMode);
        Assert.Equal(AgentMaturity.Supervised, options.CustomCapabilities["send_email"]);
        Assert.Equal(new WorkspaceSettings { Enabled = true, MaxMutationsPerDay = 20, AlphaEvolver = false }, settings);
    }

    [Theory]
    [InlineData("AutoDev:FailureThreshold", "0", "FailureThreshold")]
    [InlineData("AutoDev:EventChannelCapacity", "0", "EventChannelCapacity")]
    [InlineData("AutoDev:Workspaces:acme:max_skill_candidates_per_day", "99", "AutoDev:Workspaces:acme: max_skill_candidates_per_day is 99; set it between 1 and 20.")]
    [InlineData("AutoDev:CustomCapabilities:alpha_evolver", "Intern", "redefines a built-in capability")]
    public async Task HostStart_InvalidOptions_FailsWithMessageSayingWhatToChange(string key, string value, string expected)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddAutoDev(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () => await host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_PreloadedModuleNotAModuleName_FailsSayingWhich()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAutoDev(builder.Configuration).ConfigureSandbox(o => o.PreloadedModules.Add("json; import os"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () => await host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("PreloadedModules: 'json; import os' is not a Python module name", error.Message, StringComparison.Ordinal);
    }
}
