using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AutoDev.Tests.Telemetry;

/// <summary>Tests of instruments without a workspace tag, so that no other test may move them meanwhile.</summary>
[CollectionDefinition(nameof(ProcessWideInstruments), DisableParallelization = true)]
public sealed class ProcessWideInstruments;

/// <summary>Instruments that count across every workspace of the process.</summary>
[Collection(nameof(ProcessWideInstruments))]
public sealed class ProcessWideInstrumentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void EachStatusChangeOfAProposal_IsCountedByKindFromAndTo()
    {
        using var transitions = new MetricCollector<long>(null, AutoDevTelemetry.CoreName, "autodev.proposal.transitions");
        var at = DateTimeOffset.UnixEpoch;
        var candidate = new SkillCandidate { TenantId = "t", AgentId = "a", Name = "n", EntryPoint = "n", PatternKey = "p", Code = "pass" };
        var validated = candidate.MoveTo(SkillCandidateStatus.Validated, at);
        validated.Promote(Guid.NewGuid(), Review.Create("ana", ReviewDecision.Approved, null, at));
        Assert.Throws<InvalidStateTransitionException>(() => validated.MoveTo(SkillCandidateStatus.Pending, at));

        var counted = transitions.GetMeasurementSnapshot()
            .Select(m => ((string?)m.Tags["autodev.proposal.kind"], (string?)m.Tags["autodev.status.from"], (string?)m.Tags["autodev.status.to"], m.Value))
            .ToList();

        Assert.Equal(
            [("SkillCandidate", "Pending", "Validated", 1L), ("SkillCandidate", "Validated", "Promoted", 1L)],
            counted);
    }

    [Fact]
    public async Task TheQueueDepthGauge_CountsEventsWaitingInTheChannel()
    {
        using var queued = new MetricCollector<long>(null, AutoDevTelemetry.CoreName, "autodev.events.queued");
        await using var bus = new EventBus(Options.Create(new AutoDevOptions { EventDispatchMode = EventDispatchMode.Channel }), NullLogger<EventBus>.Instance);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = bus.Subscribe<Probe>(async (_, _) =>
        {
            started.TrySetResult();
            await release.Task;
        });

        for (var i = 0; i < 4; i++)
        {
            await bus.PublishAsync(new Probe { TenantId = "t" }, Ct);
        }

        await started.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        queued.RecordObservableInstruments();
        release.SetResult();
        await bus.DrainAsync(Ct);
        queued.RecordObservableInstruments();

        var snapshot = queued.GetMeasurementSnapshot();
        Assert.Equal(3, snapshot[0].Value);
        Assert.Equal(0, snapshot[^1].Value);
    }

    private sealed record Probe : AutoDevEvent;
}
