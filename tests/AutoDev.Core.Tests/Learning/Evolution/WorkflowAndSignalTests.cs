using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests.Learning.Evolution;

/// <summary>Workflow variants and delayed external signals.</summary>
public sealed class WorkflowAndSignalTests
{
    private const string Workflow = "{\"steps\":[\"read_email\",\"extract_invoice_id\",\"process_invoice\"]}";
    private const string BetterWorkflow = "Fewer steps:\n\n```json\n{\"steps\":[\"extract_invoice_id\",\"process_invoice\"]}\n```\n";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWebhookDelivery_AdjustsAMutationsScore_Once()
    {
        await using var host = await EvolutionHost.StartAsync(answers: [TimedSandbox.Answer(40)], sandbox: new TimedSandbox(), code: TimedSandbox.Module(50), tests: "[{\"inputs\":{},\"expected\":1}]");
        var mutation = await host.Alpha.SandboxExecuteMutationAsync(EvolutionHost.Tenant, (await host.GenerateAsync()).Id, Ct);
        var bounce = new FitnessSignal(FitnessSignalNames.Bounce, DeliveryId: "delivery-1");

        var once = await host.Get<DelayedSignals>().RecordAsync(EvolutionHost.Tenant, mutation.Id, [bounce], Ct);
        var twice = await host.Get<DelayedSignals>().RecordAsync(EvolutionHost.Tenant, mutation.Id, [bounce], Ct);

        Assert.Equal(mutation.FitnessScore!.Value - 0.3, once.Score, 10); // the documented default bounce penalty
        Assert.Equal(once.Score, twice.Score);
        Assert.Single(twice.Signals, s => s.Name == FitnessSignalNames.Bounce);
        Assert.Equal(once.Score, (await host.Get<IToolMutationStore>().FindAsync(EvolutionHost.Tenant, mutation.Id, Ct))!.FitnessScore);
    }

    [Fact]
    public async Task AWebhookDelivery_AdjustsAWorkflowVariant_Once_AndRanksIt()
    {
        await using var host = await EvolutionHost.StartAsync(answers: [BetterWorkflow], sandbox: new TimedSandbox());
        var root = await host.Get<WorkflowEvolver>().AddWorkflowAsync(EvolutionHost.Tenant, EvolutionHost.Agent, Workflow, Ct);
        var child = await host.Get<WorkflowEvolver>().SpawnVariantAsync(EvolutionHost.Tenant, root.Id, "fewer steps", Ct);
        await host.Get<WorkflowEvolver>().EvaluateVariantAsync(EvolutionHost.Tenant, root.Id, [new(FitnessSignalNames.Executed)], Ct);
        await host.Get<WorkflowEvolver>().EvaluateVariantAsync(EvolutionHost.Tenant, child.Id, [new(FitnessSignalNames.Executed)], Ct);

        var invoice = new FitnessSignal(FitnessSignalNames.InvoiceCreated, DeliveryId: "hook-7");
        await host.Get<DelayedSignals>().RecordAsync(EvolutionHost.Tenant, child.Id, [invoice], Ct);
        var again = await host.Get<DelayedSignals>().RecordAsync(EvolutionHost.Tenant, child.Id, [invoice], Ct);

        Assert.Equal(0.3 + 0.4, again.Score, 10);
        var top = await host.Get<WorkflowEvolver>().GetTopVariantsAsync(EvolutionHost.Tenant, EvolutionHost.Agent, 5, Ct).ToListAsync(Ct);
        Assert.Equal([child.Id, root.Id], top.Select(v => v.Id));
        Assert.Equal(2, top[0].FitnessSignals.Count);
    }

    [Fact]
    public async Task Webhooks_WithoutADeliveryId_OrForAnUnknownVariant_AreTypedErrors()
    {
        await using var host = await EvolutionHost.StartAsync(sandbox: new TimedSandbox());
        var root = await host.Get<WorkflowEvolver>().AddWorkflowAsync(EvolutionHost.Tenant, EvolutionHost.Agent, Workflow, Ct);

        await Assert.ThrowsAsync<ArgumentException>(() => host.Get<DelayedSignals>().RecordAsync(EvolutionHost.Tenant, root.Id, [new FitnessSignal(FitnessSignalNames.InvoiceCreated)], Ct));
        await Assert.ThrowsAsync<EntityNotFoundException>(() => host.Get<DelayedSignals>().RecordAsync(EvolutionHost.Tenant, Guid.NewGuid(), [new FitnessSignal(FitnessSignalNames.InvoiceCreated, DeliveryId: "x")], Ct));
        await Assert.ThrowsAsync<EntityNotFoundException>(() => host.Get<DelayedSignals>().RecordAsync("other-tenant", root.Id, [new FitnessSignal(FitnessSignalNames.InvoiceCreated, DeliveryId: "x")], Ct));
    }

    [Fact]
    public async Task ASpawnedVariant_IsEvaluatedAtOnce_WhenTheHostHasAnEvaluator()
    {
        await using var host = await EvolutionHost.StartAsync(answers: [BetterWorkflow], sandbox: new TimedSandbox(), configure: s => s.AddSingleton<IWorkflowEvaluator, StepCountEvaluator>().AddSingleton<IFitnessFunction, StepPenalty>());
        var root = await host.Get<WorkflowEvolver>().AddWorkflowAsync(EvolutionHost.Tenant, EvolutionHost.Agent, Workflow, Ct);

        var child = await host.Get<WorkflowEvolver>().SpawnVariantAsync(EvolutionHost.Tenant, root.Id, cancellationToken: Ct);

        Assert.Equal(WorkflowEvaluationStatus.Evaluated, child.EvaluationStatus);
        Assert.Equal(root.Id, child.ParentVariantId);
        Assert.Contains("\"extract_invoice_id\"", child.WorkflowDefinitionJson, StringComparison.Ordinal);
        Assert.Equal(0.3 - StepCountEvaluator.PerStep * 2, child.FitnessScore!.Value, 10);
        Assert.Contains("fewer steps", host.Chat.Calls[0].Messages[0].Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("I would keep the workflow as it is.")]
    [InlineData("```json\n[\"a\", \"b\"]\n```")]
    [InlineData("```json\n{\"steps\": [\n```")]
    public async Task AnUnusableWorkflowAnswer_BecomesAFailedVariant_WithTheReason(string answer)
    {
        await using var host = await EvolutionHost.StartAsync(answers: [answer], sandbox: new TimedSandbox());
        var root = await host.Get<WorkflowEvolver>().AddWorkflowAsync(EvolutionHost.Tenant, EvolutionHost.Agent, Workflow, Ct);

        var child = await host.Get<WorkflowEvolver>().SpawnVariantAsync(EvolutionHost.Tenant, root.Id, cancellationToken: Ct);

        Assert.Equal(WorkflowEvaluationStatus.Failed, child.EvaluationStatus);
        Assert.False(string.IsNullOrWhiteSpace(child.FailureReason));
        await Assert.ThrowsAsync<InvalidStateTransitionException>(() => host.Get<WorkflowEvolver>().EvaluateVariantAsync(EvolutionHost.Tenant, child.Id, [new(FitnessSignalNames.Executed)], Ct));
    }

    [Fact]
    public async Task WorkflowVariants_AreGated_AndAnInvalidRootIsRefused()
    {
        await using var host = await EvolutionHost.StartAsync(maturity: AgentMaturity.Intern, answers: [BetterWorkflow], sandbox: new TimedSandbox());
        var root = await host.Get<WorkflowEvolver>().AddWorkflowAsync(EvolutionHost.Tenant, EvolutionHost.Agent, Workflow, Ct);

        await Assert.ThrowsAsync<CapabilityDeniedException>(() => host.Get<WorkflowEvolver>().SpawnVariantAsync(EvolutionHost.Tenant, root.Id, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => host.Get<WorkflowEvolver>().AddWorkflowAsync(EvolutionHost.Tenant, EvolutionHost.Agent, "[1, 2]", Ct));
        Assert.Empty(host.Chat.Calls);
    }

    /// <summary>A host's evaluator: executed, minus a little per step.</summary>
    private sealed class StepCountEvaluator : IWorkflowEvaluator
    {
        public const double PerStep = 0.01;

        public ValueTask<IReadOnlyList<FitnessSignal>> EvaluateAsync(WorkflowVariant variant, CancellationToken cancellationToken)
        {
            using var document = System.Text.Json.JsonDocument.Parse(variant.WorkflowDefinitionJson);
            var steps = document.RootElement.GetProperty("steps").GetArrayLength();
            return ValueTask.FromResult<IReadOnlyList<FitnessSignal>>([new(FitnessSignalNames.Executed), new(StepPenalty.SignalName, steps)]);
        }
    }
}

/// <summary>The step-count objective of <see cref="WorkflowAndSignalTests"/>, registered through DI like a library author's.</summary>
internal sealed class StepPenalty : IFitnessFunction
{
    public const string SignalName = "steps";

    public string Name => "step_penalty";

    public double Evaluate(IReadOnlyList<FitnessSignal> signals) => -0.01 * signals.Where(s => s.Name == SignalName).Select(s => s.Value).LastOrDefault();
}
