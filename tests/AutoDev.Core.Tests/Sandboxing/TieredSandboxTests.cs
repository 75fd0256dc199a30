using AutoDev.Testing;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AutoDev.Tests.Sandboxing;

public sealed class TieredSandboxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TieredSandbox Create(SandboxOptions? options = null, params StubTier[] tiers) =>
        new(tiers, Options.Create(options ?? new SandboxOptions()), new FakeTimeProvider(), NullLogger<TieredSandbox>.Instance);

    [Fact]
    public async Task ExecuteAsync_SeveralAvailable_UsesStrongest()
    {
        var process = new StubTier(SandboxTiers.Process, 10, true);
        var bubblewrap = new StubTier(SandboxTiers.Bubblewrap, 20, true);
        var docker = new StubTier(SandboxTiers.Docker, 30, true);
        var sandbox = Create(null, process, docker, bubblewrap);

        var result = await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "pass" }, Ct);

        Assert.Equal(SandboxTiers.Docker, result.Tier);
        Assert.Equal(1, docker.Executions);
    }

    [Fact]
    public async Task ExecuteAsync_StrongestUnavailable_FallsBackAndChecksOnce()
    {
        var bubblewrap = new StubTier(SandboxTiers.Bubblewrap, 20, true);
        var docker = new StubTier(SandboxTiers.Docker, 30, false);
        var sandbox = Create(null, docker, bubblewrap);

        await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "pass" }, Ct);
        var result = await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "pass" }, Ct);

        Assert.Equal(SandboxTiers.Bubblewrap, result.Tier);
        Assert.Equal(1, docker.Checks);
        Assert.Equal(1, bubblewrap.Checks);
    }

    [Theory]
    [InlineData(SafetyLevel.Medium)]
    [InlineData(SafetyLevel.High)]
    public async Task ExecuteAsync_OnlyProcessTierAndUntrustedCode_RefusesSayingWhy(SafetyLevel level)
    {
        var process = new StubTier(SandboxTiers.Process, 10, true);
        var sandbox = Create(null, new StubTier(SandboxTiers.Bubblewrap, 20, false), process);

        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(async () =>
            await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "pass", SafetyLevel = level }, Ct));

        Assert.Contains("AllowProcessTierForUntrustedCode", error.Message, StringComparison.Ordinal);
        Assert.Contains("bubblewrap: not here", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, process.Executions);
    }

    [Fact]
    public async Task ExecuteAsync_ProcessTierOptedInByName_RunsUntrustedCode()
    {
        var process = new StubTier(SandboxTiers.Process, 10, true);
        var sandbox = Create(new SandboxOptions { AllowProcessTierForUntrustedCode = true }, process);

        var result = await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "pass", SafetyLevel = SafetyLevel.High }, Ct);

        Assert.Equal(SandboxTiers.Process, result.Tier);
    }

    [Fact]
    public async Task ExecuteAsync_LowSafety_MayUseProcessTier()
    {
        var sandbox = Create(null, new StubTier(SandboxTiers.Process, 10, true));

        var result = await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "pass", SafetyLevel = SafetyLevel.Low }, Ct);

        Assert.Equal(SandboxTiers.Process, result.Tier);
    }

    [Fact]
    public async Task ExecuteAsync_DisabledTier_IsNeverChosen()
    {
        var options = new SandboxOptions();
        options.DisabledTiers.Add(SandboxTiers.Docker);
        var docker = new StubTier(SandboxTiers.Docker, 30, true);
        var sandbox = Create(options, docker, new StubTier(SandboxTiers.Bubblewrap, 20, true));

        var result = await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "pass" }, Ct);

        Assert.Equal(SandboxTiers.Bubblewrap, result.Tier);
        Assert.Equal(0, docker.Checks);
    }

    /// <summary>Regression (sandbox hardening, defect 6): a Docker tier the host asked for by name fell back to bubblewrap without a word.</summary>
    [Fact]
    public async Task ExecuteAsync_StrongestUnavailableAndForbidsFallback_ThrowsItsReasonAndRunsNothingElse()
    {
        var bubblewrap = new StubTier(SandboxTiers.Bubblewrap, 20, true);
        var docker = new StubTier(SandboxTiers.Docker, 30, false) { Unavailable = SandboxAvailability.Required("the image is missing") };
        var sandbox = Create(null, docker, bubblewrap);

        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() => sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "pass" }, Ct));

        Assert.Equal(SandboxTiers.Docker, error.Tier);
        Assert.Contains("the image is missing", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, bubblewrap.Executions);
    }

    /// <summary>Each execution is a <c>sandbox.execute</c> span and a counted, timed measurement, tagged with the tier that ran it and the status.</summary>
    [Fact]
    public async Task ExecuteAsync_IsTracedAndCounted_ByTierAndStatus()
    {
        var tierName = "stub-" + Guid.NewGuid().ToString("N")[..8];
        var tenant = "t-" + tierName;
        using var executions = new MetricCollector<long>(null, AutoDevTelemetry.CoreName, "autodev.sandbox.executions");
        using var durations = new MetricCollector<double>(null, AutoDevTelemetry.CoreName, "autodev.sandbox.execution.duration");
        var spans = new List<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == AutoDevTelemetry.CoreName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("autodev.tenant"), tenant))
                {
                    lock (spans)
                    {
                        spans.Add(activity);
                    }
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var sandbox = Create(null, new StubTier(tierName, 30, true));

        await sandbox.ExecuteAsync(new SandboxRequest { TenantId = tenant, Code = "pass" }, Ct);
        await sandbox.ExecuteAsync(new SandboxRequest { TenantId = tenant, Code = "pass" }, Ct);

        var counted = executions.GetMeasurementSnapshot().Where(m => Equals(m.Tags["autodev.sandbox.tier"], tierName)).ToList();
        Assert.Equal([1L, 1L], counted.Select(m => m.Value));
        Assert.All(counted, m => Assert.Equal(nameof(SandboxStatus.Succeeded), m.Tags["autodev.sandbox.status"]));
        Assert.Equal(2, durations.GetMeasurementSnapshot().Count(m => Equals(m.Tags["autodev.sandbox.tier"], tierName) && m.Value >= 0));
        Assert.Equal(2, spans.Count);
        Assert.All(spans, span => Assert.Equal(("sandbox.execute", tierName, nameof(SandboxStatus.Succeeded)), (span.OperationName, span.GetTagItem("autodev.sandbox.tier"), span.GetTagItem("autodev.sandbox.status"))));
    }

    private sealed class StubTier(string name, int strength, bool available) : ISandboxTier
    {
        public SandboxAvailability Unavailable { get; init; } = SandboxAvailability.Unavailable("not here");

        public int Checks { get; private set; }

        public int Executions { get; private set; }

        public string Tier => name;

        public int Strength => strength;

        public ValueTask<SandboxAvailability> CheckAvailabilityAsync(CancellationToken cancellationToken)
        {
            Checks++;
            return new(available ? SandboxAvailability.Available : Unavailable);
        }

        public Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken)
        {
            Executions++;
            return Task.FromResult(FakeSandbox.Success(null) with { Tier = name });
        }
    }
}
