using System.Diagnostics;
using AutoDev.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AutoDev.Tests.Telemetry;

/// <summary>The OpenTelemetry SDK, subscribed with AddAutoDevInstrumentation(), exports AutoDev's spans and instruments.</summary>
public sealed class InstrumentationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddAutoDevInstrumentation_ExportsTheSandboxSpans_AndTheirCounts()
    {
        var tierName = "otel-" + Guid.NewGuid().ToString("N")[..8];
        var tenant = "t-" + tierName;
        var spans = new List<Activity>();
        var metrics = new List<MetricSnapshot>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddAutoDevInstrumentation().AddInMemoryExporter(spans).Build())
        using (var meters = Sdk.CreateMeterProviderBuilder().AddAutoDevInstrumentation().AddInMemoryExporter(metrics).Build())
        {
            using var sandbox = new TieredSandbox([new OneTier(tierName)], Options.Create(new SandboxOptions()), new FakeTimeProvider(), NullLogger<TieredSandbox>.Instance);
            for (var i = 0; i < 3; i++)
            {
                await sandbox.ExecuteAsync(new SandboxRequest { TenantId = tenant, Code = "pass" }, Ct);
            }

            meters.ForceFlush();
        }

        var ours = spans.Where(s => Equals(s.GetTagItem("autodev.tenant"), tenant)).ToList();
        Assert.Equal(3, ours.Count);
        Assert.All(ours, s => Assert.Equal(("sandbox.execute", AutoDevTelemetry.CoreName, tierName), (s.OperationName, s.Source.Name, s.GetTagItem("autodev.sandbox.tier"))));
        // Counters are cumulative: the last export holds the total.
        var executions = Points(metrics.Last(m => m.Name == "autodev.sandbox.executions")).Where(p => p.Tier == tierName);
        Assert.Equal(3, Assert.Single(executions).Sum);
        Assert.Equal("{execution}", metrics.First(m => m.Name == "autodev.sandbox.executions").Unit);
        Assert.Equal("s", metrics.First(m => m.Name == "autodev.sandbox.execution.duration").Unit);
    }

    /// <summary>
    /// Recording an episode is an <c>episode.record</c> span; validating a candidate is a <c>candidate.validate</c> span,
    /// and the sandbox execution it runs is its child.
    /// </summary>
    [Fact]
    public async Task EpisodeAndValidation_AreSpans_AndTheSandboxRunIsTheValidationsChild()
    {
        var tenant = "otel-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new List<Activity>();
        using var sandbox = new TieredSandbox([new OneTier("otel")], Options.Create(new SandboxOptions()), new FakeTimeProvider(), NullLogger<TieredSandbox>.Instance);
        await using var services = TestHost.Create(builder => builder.UseSandbox(sandbox));
        var candidates = services.GetRequiredService<ISkillCandidateStore>();
        var pending = (await candidates.AddAsync(new SkillCandidate { TenantId = tenant, AgentId = "a1", Name = "extract_invoice_id", EntryPoint = "extract_invoice_id", PatternKey = "p", Code = "def extract_invoice_id(text):\n    return text" }, Ct)).Entity;

        using (Sdk.CreateTracerProviderBuilder().AddAutoDevInstrumentation().AddInMemoryExporter(spans).Build())
        {
            await services.GetRequiredService<IEpisodeRecorder>().RecordAsync(new Episode { TenantId = tenant, AgentId = "a1", TaskDescription = "ok", Success = true }, Ct);
            await services.GetRequiredService<MementoEngine>().ValidateCandidateAsync(tenant, pending.Id, Ct);
        }

        var ours = spans.Where(s => Equals(s.GetTagItem("autodev.tenant"), tenant)).ToList();
        var episode = Assert.Single(ours, s => s.OperationName == "episode.record");
        Assert.Equal(("a1", "succeeded", true), (episode.GetTagItem("autodev.agent"), episode.GetTagItem("autodev.outcome"), episode.GetTagItem("autodev.episode.added")));
        var validation = Assert.Single(ours, s => s.OperationName == "candidate.validate");
        Assert.Equal(pending.Id.ToString(), validation.GetTagItem("autodev.candidate.id"));
        Assert.NotNull(validation.GetTagItem("autodev.outcome"));
        var execution = Assert.Single(ours, s => s.OperationName == "sandbox.execute");
        Assert.Equal(validation.SpanId, execution.ParentSpanId);
    }

    /// <summary>Evaluating a mutation is a <c>mutation.evaluate</c> span, and every sandbox run of parent and child is its child.</summary>
    [Fact]
    public async Task MutationEvaluation_IsASpan_AndTheSandboxRunsAreItsChildren()
    {
        var tenant = "otel-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new List<Activity>();
        using var sandbox = new TieredSandbox([new OneTier("otel")], Options.Create(new SandboxOptions()), new FakeTimeProvider(), NullLogger<TieredSandbox>.Instance);
        await using var services = TestHost.Create(builder => builder.UseSandbox(sandbox));
        var skill = new Skill { TenantId = tenant, Name = "total" };
        var parent = new SkillVersion { TenantId = tenant, SkillId = skill.Id, Version = SemanticVersion.Initial, Code = "def total(x):\n    return x", EntryPoint = "total" };
        await services.GetRequiredService<ISkillStore>().AddAsync(skill, parent, Ct);
        var mutation = (await services.GetRequiredService<IToolMutationStore>().AddAsync(new ToolMutation { TenantId = tenant, SkillId = skill.Id, ParentVersionId = parent.Id, Code = "def total(x):\n    return x", EvaluationInputs = ["{\"x\": 1}"] }, Ct)).Entity;

        using (Sdk.CreateTracerProviderBuilder().AddAutoDevInstrumentation().AddInMemoryExporter(spans).Build())
        {
            await services.GetRequiredService<AlphaEvolverEngine>().SandboxExecuteMutationAsync(tenant, mutation.Id, Ct);
        }

        var ours = spans.Where(s => Equals(s.GetTagItem("autodev.tenant"), tenant)).ToList();
        var evaluation = Assert.Single(ours, s => s.OperationName == "mutation.evaluate");
        Assert.Equal(mutation.Id.ToString(), evaluation.GetTagItem("autodev.mutation.id"));
        Assert.NotNull(evaluation.GetTagItem("autodev.outcome"));
        var runs = ours.Where(s => s.OperationName == "sandbox.execute").ToList();
        Assert.NotEmpty(runs);
        Assert.All(runs, run => Assert.Equal(evaluation.SpanId, run.ParentSpanId));
    }

    /// <summary>An approval is a <c>skill.promote</c> span naming the candidate, the skill and the version it became.</summary>
    [Fact]
    public async Task Approval_IsAPromotionSpan_NamingTheCandidateAndTheVersion()
    {
        var tenant = "otel-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new List<Activity>();
        await using var services = TestHost.Create();
        var candidates = services.GetRequiredService<ISkillCandidateStore>();
        var added = (await candidates.AddAsync(new SkillCandidate { TenantId = tenant, AgentId = "a1", Name = "extract_invoice_id", EntryPoint = "extract_invoice_id", PatternKey = "p", Code = "def extract_invoice_id(text):\n    return text" }, Ct)).Entity;
        var validated = await candidates.UpdateAsync(added.MoveTo(SkillCandidateStatus.Validated, added.CreatedAt), Ct);

        using (Sdk.CreateTracerProviderBuilder().AddAutoDevInstrumentation().AddInMemoryExporter(spans).Build())
        {
            await services.GetRequiredService<IReviewService>().ApproveAsync(tenant, validated.Id, "ana", cancellationToken: Ct);
        }

        var span = Assert.Single(spans, s => s.OperationName == "skill.promote" && Equals(s.GetTagItem("autodev.tenant"), tenant));
        Assert.Equal(
            ("candidate", validated.Id.ToString(), "extract_invoice_id", "1.0.0"),
            (span.GetTagItem("autodev.proposal.kind"), span.GetTagItem("autodev.proposal.id"), span.GetTagItem("autodev.skill"), span.GetTagItem("autodev.skill.version")));
    }

    private static IEnumerable<(string? Tier, long Sum)> Points(MetricSnapshot metric)
    {
        foreach (var point in metric.MetricPoints)
        {
            string? tier = null;
            foreach (var tag in point.Tags)
            {
                if (tag.Key == "autodev.sandbox.tier")
                {
                    tier = tag.Value as string;
                }
            }

            yield return (tier, point.GetSumLong());
        }
    }

    private sealed class OneTier(string name) : ISandboxTier
    {
        public string Tier => name;

        public int Strength => 30;

        public ValueTask<SandboxAvailability> CheckAvailabilityAsync(CancellationToken cancellationToken) => new(SandboxAvailability.Available);

        public Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(FakeSandbox.Success(null) with { Tier = name });
    }
}
