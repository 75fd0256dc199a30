using AutoDev;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Benchmarks;

/// <summary>A gate check with the in-memory stores. Baseline: the pure matrix decision with agent and settings in hand.</summary>
[MemoryDiagnoser]
public class GateBenchmarks
{
    private ServiceProvider _services = null!;
    private ICapabilityGate _gate = null!;
    private AgentProfile _agent = null!;
    private WorkspaceSettings _settings = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _services = new ServiceCollection().AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline).Services.BuildServiceProvider();
        _gate = _services.GetRequiredService<ICapabilityGate>();
        _settings = new WorkspaceSettings { Enabled = true };
        await _services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync("t", _settings, CancellationToken.None);
        _agent = (await _services.GetRequiredService<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = "t", AgentId = "a", Maturity = AgentMaturity.Supervised }, CancellationToken.None)).Entity;

        // Other workspaces and agents in the store, so look-ups are not trivially small.
        for (var i = 0; i < 1000; i++)
        {
            await _services.GetRequiredService<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = $"t{i}", AgentId = $"a{i}" }, CancellationToken.None);
        }
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _services.DisposeAsync();

    [Benchmark(Baseline = true)]
    public bool CanUse() => _gate.CanUse(_agent, CapabilityNames.AlphaEvolver, _settings).IsAllowed;

    [Benchmark]
    public async ValueTask<bool> CheckAsync() => (await _gate.CheckAsync("t", "a", CapabilityNames.AlphaEvolver)).IsAllowed;
}
