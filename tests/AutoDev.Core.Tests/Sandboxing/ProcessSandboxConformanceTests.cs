using Microsoft.Extensions.Options;

namespace AutoDev.Tests.Sandboxing;

/// <summary>The process tier against the sandbox conformance suite and HumanEval (LOW safety: the tier refuses more).</summary>
public sealed class ProcessSandboxConformanceTests : HumanEvalTierTests
{
    private readonly ProcessSandbox _sandbox = new(Options.Create(new SandboxOptions()), TimeProvider.System);

    protected override ISandbox Sandbox => _sandbox;

    protected override bool IsWeakTier => true;

    protected override SafetyLevel SafetyLevel => SafetyLevel.Low;

    protected override ValueTask<SandboxAvailability> CheckAvailabilityAsync() => _sandbox.CheckAvailabilityAsync(TestContext.Current.CancellationToken);
}
