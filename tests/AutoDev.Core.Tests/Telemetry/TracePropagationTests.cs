using System.Diagnostics;
using AutoDev.Tests.Learning.Memento;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace AutoDev.Tests.Telemetry;

/// <summary>What a person reading a trace sees: one trace per failure that becomes a candidate, and events that keep their publisher's trace.</summary>
public sealed class TracePropagationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheFailureThatCompletesAPattern_IsOneTrace_FromTheEpisodeToTheModelCallAndTheSandbox_AndTheApprovalLinksToIt()
    {
        var spans = new List<Activity>();
        await using var host = await MementoHost.StartAsync();
        Episode second;
        using (Sdk.CreateTracerProviderBuilder().AddAutoDevInstrumentation().AddInMemoryExporter(spans).Build())
        {
            await host.FailAsync();
            second = await host.FailAsync(email: "Please resend invoice #INV-2024-0077");
            var candidate = (await host.CandidatesAsync()).Single(c => c.SourceEpisodeIds.Contains(second.Id));
            await host.Get<IReviewService>().ApproveAsync(MementoHost.Tenant, candidate.Id, "ana", cancellationToken: Ct);
        }

        var root = Assert.Single(spans, s => s.OperationName == "episode.record" && Equals(s.GetTagItem("autodev.episode.id"), second.Id.ToString()));
        var trace = spans.Where(s => s.TraceId == root.TraceId).ToList();
        Activity Child(Activity parent, string name) => Assert.Single(trace, s => s.ParentSpanId == parent.SpanId && s.OperationName == name);

        Assert.Equal(default, root.ParentSpanId);
        Assert.Equal("Trigger", Child(root, "reflection.decide").GetTagItem("autodev.outcome"));
        var generate = Child(root, "candidate.generate");
        Assert.Equal(("extract_invoice_id", "Pending"), (generate.GetTagItem("autodev.skill"), generate.GetTagItem("autodev.outcome")));
        var chat = Assert.Single(trace, s => s.ParentSpanId == generate.SpanId && Equals(s.GetTagItem("gen_ai.operation.name"), "chat"));
        Assert.Equal("scripted", chat.GetTagItem("gen_ai.response.model"));
        var validate = Child(root, "candidate.validate");
        Assert.Equal(generate.GetTagItem("autodev.candidate.id"), validate.GetTagItem("autodev.candidate.id"));
        Child(validate, "sandbox.execute");

        // The approval is a trace of its own (a person decides later), linked to the one that wrote the candidate.
        var review = Assert.Single(spans, s => s.OperationName == "review.decide" && Equals(s.GetTagItem("autodev.proposal.id"), generate.GetTagItem("autodev.candidate.id")));
        Assert.NotEqual(root.TraceId, review.TraceId);
        Assert.Equal((root.TraceId, generate.SpanId), (Assert.Single(review.Links).Context.TraceId, review.Links.Single().Context.SpanId));
        Assert.Single(spans, s => s.ParentSpanId == review.SpanId && s.OperationName == "skill.promote");
    }

    [Fact]
    public async Task AGenerationTheGateRefuses_IsAFailedSpan_NamingTheExceptionsType()
    {
        var spans = new List<Activity>();
        await using var host = await MementoHost.StartAsync(maturity: AgentMaturity.Student);
        var failure = await host.FailAsync();
        using var source = new ActivitySource("test.refusal");
        ActivityTraceId trace;

        using (Sdk.CreateTracerProviderBuilder().AddSource("test.refusal").AddAutoDevInstrumentation().AddInMemoryExporter(spans).Build())
        using (var test = source.StartActivity("test"))
        {
            trace = test!.TraceId;
            await Assert.ThrowsAsync<CapabilityDeniedException>(() => host.Get<MementoEngine>().GenerateSkillCandidateAsync(MementoHost.Tenant, MementoHost.Agent, failure.Id, Ct));
        }

        var generate = Assert.Single(spans, s => s.TraceId == trace && s.OperationName == "candidate.generate");
        Assert.Equal((ActivityStatusCode.Error, typeof(CapabilityDeniedException).FullName), (generate.Status, generate.GetTagItem("error.type")));
    }

    [Fact]
    public async Task AnEventHandledFromTheChannel_IsAnEventDispatchSpan_InThePublishersTrace_AndAThrowingHandlerIsCounted()
    {
        var tenant = "otel-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new List<Activity>();
        using var failures = new MetricCollector<long>(null, AutoDevTelemetry.CoreName, "autodev.events.handler_failures");
        await using var bus = new EventBus(Options.Create(new AutoDevOptions { EventDispatchMode = EventDispatchMode.Channel }), NullLogger<EventBus>.Instance);
        var seen = new TaskCompletionSource<ActivityContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var first = bus.Subscribe<TelemetryProbe>((_, _) => throw new InvalidOperationException("a broken handler"));
        using var second = bus.Subscribe<TelemetryProbe>((_, _) =>
        {
            seen.TrySetResult(Activity.Current?.Context ?? default);
            return default;
        });
        using var source = new ActivitySource("test.publisher");
        ActivityContext publisher;

        using (Sdk.CreateTracerProviderBuilder().AddSource("test.publisher").AddAutoDevInstrumentation().AddInMemoryExporter(spans).Build())
        {
            using (var publishing = source.StartActivity("publish"))
            {
                publisher = publishing!.Context;
                await bus.PublishAsync(new TelemetryProbe { TenantId = tenant }, Ct);
            }

            var handled = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            await bus.DrainAsync(Ct);
            var dispatch = Assert.Single(spans, s => s.OperationName == "event.dispatch" && Equals(s.GetTagItem("autodev.tenant"), tenant));
            Assert.Equal((publisher.TraceId, publisher.SpanId, ActivityKind.Consumer), (dispatch.TraceId, dispatch.ParentSpanId, dispatch.Kind));
            Assert.Equal(dispatch.SpanId, handled.SpanId);
        }

        Assert.Equal(1, failures.GetMeasurementSnapshot().Where(m => Equals(m.Tags["autodev.event"], nameof(TelemetryProbe))).Sum(m => m.Value));
    }

    [Fact]
    public async Task WorkspaceGauges_ReportTheTokensAndUsesThisProcessLastReadOrCharged()
    {
        var tenant = "otel-" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await MementoHost.StartAsync();
        var services = host.Services;
        await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync(tenant, new WorkspaceSettings { Enabled = true, DailyTokenBudget = 50_000, MaxSkillCandidatesPerDay = 4 }, Ct);
        await services.AddAgentAsync(tenant, "a1", AgentMaturity.Intern);
        using var gauges = new MetricCollector<long>(null, AutoDevTelemetry.CoreName, "autodev.workspace.tokens.used");
        using var budgets = new MetricCollector<long>(null, AutoDevTelemetry.CoreName, "autodev.workspace.tokens.budget");
        using var uses = new MetricCollector<long>(null, AutoDevTelemetry.CoreName, "autodev.workspace.capability.used");
        using var limits = new MetricCollector<long>(null, AutoDevTelemetry.CoreName, "autodev.workspace.capability.limit");

        var answer = await services.GetRequiredService<GatedModelCall>().AskAsync(new GatedModelRequest(tenant, "a1", CapabilityNames.MementoSkills, "test", "write it"), Ct);
        await services.GetRequiredService<ICapabilityGate>().CheckAsync(tenant, "a1", CapabilityNames.MementoSkills, Ct);

        foreach (var collector in (MetricCollector<long>[])[gauges, budgets, uses, limits])
        {
            collector.RecordObservableInstruments();
        }

        long Of(MetricCollector<long> collector) => collector.GetMeasurementSnapshot().Last(m => Equals(m.Tags["autodev.tenant"], tenant)).Value;
        Assert.True(answer.Succeeded);
        Assert.Equal(answer.Record.TotalTokens, Of(gauges));
        Assert.Equal(50_000, Of(budgets));
        Assert.Equal((1L, 4L), (Of(uses), Of(limits)));
    }

    private sealed record TelemetryProbe : AutoDevEvent;
}
