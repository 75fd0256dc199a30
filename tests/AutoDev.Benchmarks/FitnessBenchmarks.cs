using AutoDev;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Benchmarks;

/// <summary>Scoring a variant with ten signals. Baseline: the proxy function alone.</summary>
[MemoryDiagnoser]
public class FitnessBenchmarks
{
    private readonly FitnessSignal[] _signals =
    [
        new(FitnessSignalNames.Compiles), new(FitnessSignalNames.Executed), new(FitnessSignalNames.Approved),
        new(FitnessSignalNames.InvoiceCreated, 1, "d1"), new(FitnessSignalNames.CrmConversion, 1, "d2"),
        new(FitnessSignalNames.ConversionValue, 250, "d3"), new(FitnessSignalNames.Bounce, 1, "d4"),
        new(FitnessSignalNames.Error, 1, "d5"), new(FitnessSignalNames.InvoiceCreated, 1, "d6"), new("custom", 1),
    ];

    private readonly ProxyFitnessFunction _proxy = new();
    private ServiceProvider _services = null!;
    private IFitnessService _fitness = null!;
    private Guid _subject;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddAutoDev().Services.BuildServiceProvider();
        _fitness = _services.GetRequiredService<IFitnessService>();
        _subject = Guid.NewGuid();
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _services.DisposeAsync();

    [Benchmark(Baseline = true)]
    public double ProxyOnly() => _proxy.Evaluate(_signals);

    [Benchmark]
    public double Score() => _fitness.Score(_signals);

    [Benchmark]
    public async ValueTask<double> RecordSignalsAsync() =>
        (await _fitness.RecordSignalsAsync("t", _subject, FitnessSubjectKind.ToolMutation, [new FitnessSignal(FitnessSignalNames.InvoiceCreated, 1, "same-delivery")])).Score;
}
