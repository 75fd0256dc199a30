using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests.Fitness;

public sealed class FitnessServiceTests : IDisposable
{
    private static readonly string[] Positive =
    [
        FitnessSignalNames.Compiles, FitnessSignalNames.Executed, FitnessSignalNames.Approved,
        FitnessSignalNames.InvoiceCreated, FitnessSignalNames.CrmConversion, FitnessSignalNames.ConversionValue,
    ];

    private static readonly string[] All = [.. Positive, FitnessSignalNames.Bounce, FitnessSignalNames.Error, "unknown_signal"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly List<ServiceProvider> _providers = [];

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }
    }

    private IFitnessService NewService(Action<IAutoDevBuilder>? configure = null)
    {
        var provider = TestHost.Create(configure);
        _providers.Add(provider);
        return provider.GetRequiredService<IFitnessService>();
    }

    [Theory]
    [InlineData(new[] { FitnessSignalNames.Compiles }, 0.2)]
    [InlineData(new[] { FitnessSignalNames.Compiles, FitnessSignalNames.Executed }, 0.5)]
    [InlineData(new[] { FitnessSignalNames.Compiles, FitnessSignalNames.Executed, FitnessSignalNames.Approved }, 1.0)]
    [InlineData(new[] { FitnessSignalNames.Compiles, FitnessSignalNames.Compiles }, 0.2)]
    [InlineData(new[] { FitnessSignalNames.InvoiceCreated }, 0.4)]
    [InlineData(new[] { FitnessSignalNames.CrmConversion }, 0.5)]
    [InlineData(new[] { FitnessSignalNames.Compiles, FitnessSignalNames.Executed, FitnessSignalNames.Bounce }, 0.2)]
    [InlineData(new[] { FitnessSignalNames.Compiles, FitnessSignalNames.Error }, 0.0)]
    [InlineData(new[] { FitnessSignalNames.Bounce }, 0.0)]
    public void Score_DefaultFunctions_MatchDesign(string[] names, double expected)
    {
        var score = NewService().Score([.. names.Select(n => new FitnessSignal(n))]);

        Assert.Equal(expected, score, 10);
    }

    [Theory]
    [InlineData(100, 0.1)]
    [InlineData(499, 0.499)]
    [InlineData(5000, 0.5)]
    public void Score_ConversionValue_AddsMinOfHalfAndValueOverThousand(double value, double expected)
    {
        var score = NewService().Score([new FitnessSignal(FitnessSignalNames.ConversionValue, value)]);

        Assert.Equal(expected, score, 10);
    }

    [Fact]
    public void Score_AnySignals_StaysInUnitInterval()
    {
        var service = NewService();
        Prop.ForAll(SignalLists(All), signals =>
        {
            var score = service.Score(signals);
            return score is >= 0 and <= 1;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Score_AddingPositiveSignal_NeverLowersScore()
    {
        var service = NewService();
        var cases = (from signals in SignalLists(All).Generator
                     from extra in Gen.Elements(Positive)
                     from value in Gen.Choose(0, 3000)
                     select (signals, extra: new FitnessSignal(extra, value))).ToArbitrary();

        Prop.ForAll(cases, c => service.Score([.. c.signals, c.extra]) >= service.Score(c.signals))
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public async Task RecordSignalsAsync_SameDeliveryTwice_CountsOnce()
    {
        var service = NewService();
        var variant = Guid.NewGuid();
        await service.RecordSignalsAsync("t", variant, FitnessSubjectKind.WorkflowVariant, [new(FitnessSignalNames.Compiles), new(FitnessSignalNames.Executed)], Ct);

        await service.RecordSignalsAsync("t", variant, FitnessSubjectKind.WorkflowVariant, [new(FitnessSignalNames.InvoiceCreated, 1, "hook-1")], Ct);
        var record = await service.RecordSignalsAsync("t", variant, FitnessSubjectKind.WorkflowVariant, [new(FitnessSignalNames.InvoiceCreated, 1, "hook-1")], Ct);

        Assert.Equal(0.9, record.Score, 10);
        Assert.Equal(3, record.Signals.Count);
    }

    [Fact]
    public async Task GetAsync_OtherTenant_ThrowsNotFound()
    {
        var service = NewService();
        var variant = Guid.NewGuid();
        await service.RecordSignalsAsync("t1", variant, FitnessSubjectKind.ToolMutation, [new(FitnessSignalNames.Compiles)], Ct);

        await Assert.ThrowsAsync<EntityNotFoundException>(async () => await service.GetAsync("t2", variant, Ct));
        Assert.Equal(0.2, (await service.GetAsync("t1", variant, Ct)).Score, 10);
    }

    [Fact]
    public async Task GetTopVariantsAsync_RanksBestFirst()
    {
        var service = NewService();
        Guid low = Guid.NewGuid(), high = Guid.NewGuid(), mid = Guid.NewGuid();
        await service.RecordSignalsAsync("t", low, FitnessSubjectKind.ToolMutation, [new(FitnessSignalNames.Compiles)], Ct);
        await service.RecordSignalsAsync("t", high, FitnessSubjectKind.ToolMutation, [new(FitnessSignalNames.Compiles), new(FitnessSignalNames.Executed), new(FitnessSignalNames.Approved)], Ct);
        await service.RecordSignalsAsync("t", mid, FitnessSubjectKind.ToolMutation, [new(FitnessSignalNames.Compiles), new(FitnessSignalNames.Executed)], Ct);

        var top = await service.GetTopVariantsAsync("t", FitnessSubjectKind.ToolMutation, 2, Ct).ToListAsync();

        Assert.Equal([high, mid], top.Select(r => r.SubjectId));
    }

    [Fact]
    public void Score_CustomWeightedFunction_IsAddedToTotal()
    {
        var service = NewService(b => b
            .AddFitnessFunction(new LatencyObjective(), weight: 0.5)
            .ConfigureFitness(o => o.Weights[ProxyFitnessFunction.FunctionName] = 0.5));

        var score = service.Score([new(FitnessSignalNames.Compiles), new(FitnessSignalNames.Executed), new("speed_ms", 250)]);

        // 0.5 × proxy (0.5) + 0.5 × latency objective (1 − 250/1000 = 0.75)
        Assert.Equal(0.25 + 0.375, score, 10);
    }

    [Fact]
    public void AddFitnessFunction_ByType_IsResolvedAndWeighted()
    {
        var service = NewService(b => b.AddFitnessFunction<LatencyObjective>(weight: 2).AddFitnessFunction<LatencyObjective>(weight: 0.1));

        var score = service.Score([new("speed_ms", 500)]);

        Assert.Equal(0.05, score, 10);
    }

    private static Arbitrary<FitnessSignal[]> SignalLists(string[] names) =>
        (from name in Gen.Elements(names)
         from value in Gen.Choose(-100, 5000)
         from delivery in Gen.Elements<string?>(null, "d1", "d2")
         select new FitnessSignal(name, value, delivery)).ArrayOf().ToArbitrary();

    private sealed class LatencyObjective : IFitnessFunction
    {
        public string Name => "speed";

        public double Evaluate(IReadOnlyList<FitnessSignal> signals) =>
            signals.FirstOrDefault(s => s.Name == "speed_ms") is { } s ? 1 - (s.Value / 1000) : 0;
    }
}
