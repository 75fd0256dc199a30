using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AutoDev.Tests.Sandboxing;

/// <summary>One bubblewrap tier (and its warm pool) shared by the tests of a class.</summary>
public class BubblewrapFixture : IAsyncLifetime
{
    private Task<SandboxAvailability>? _availability;

    public BubblewrapFixture()
        : this(inlineScheduling: false)
    {
    }

    protected BubblewrapFixture(bool inlineScheduling)
    {
        // One worker per tenant, so a follow-up execution runs where the hostile one ran.
        Sandbox = new(Options.Create(new SandboxOptions { WarmWorkersPerTenant = 1, UnsafePreferInlineScheduling = inlineScheduling }), TimeProvider.System, NullLogger<BubblewrapSandbox>.Instance);
    }

    public BubblewrapSandbox Sandbox { get; }

    /// <summary>Probed once: the probe starts a sandbox.</summary>
    public Task<SandboxAvailability> Availability => _availability ??= Sandbox.CheckAvailabilityAsync(CancellationToken.None).AsTask();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Sandbox.DisposeAsync();
    }
}

/// <summary>The bubblewrap tier against the sandbox conformance suite and HumanEval.</summary>
[Trait("Requires", "bubblewrap")]
public sealed class BubblewrapSandboxConformanceTests(BubblewrapFixture fixture) : HumanEvalTierTests, IClassFixture<BubblewrapFixture>
{
    protected override ISandbox Sandbox => fixture.Sandbox;

    protected override async ValueTask<SandboxAvailability> CheckAvailabilityAsync() => await fixture.Availability;
}

/// <summary>The bubblewrap tier with <see cref="SandboxOptions.UnsafePreferInlineScheduling"/>: callers resume on each worker's own thread.</summary>
public sealed class BubblewrapInlineFixture() : BubblewrapFixture(inlineScheduling: true);

/// <summary>The same conformance suite and HumanEval with inline scheduling: the hostile cases, time-outs and crashes give the same statuses.</summary>
[Trait("Requires", "bubblewrap")]
public sealed class BubblewrapInlineSchedulingConformanceTests(BubblewrapInlineFixture fixture) : HumanEvalTierTests, IClassFixture<BubblewrapInlineFixture>
{
    protected override ISandbox Sandbox => fixture.Sandbox;

    protected override async ValueTask<SandboxAvailability> CheckAvailabilityAsync() => await fixture.Availability;
}

/// <summary>The bubblewrap tier's fork servers preload <see cref="SandboxOptions.PreloadedModules"/>.</summary>
[Trait("Requires", "bubblewrap")]
public sealed class BubblewrapPreloadTests : WarmTierPreloadTests
{
    protected override ISandboxTier CreateSandbox(SandboxOptions options) => new BubblewrapSandbox(Options.Create(options), TimeProvider.System, NullLogger<BubblewrapSandbox>.Instance);
}
