using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AutoDev;

/// <summary>A request to run a workspace's skill.</summary>
public sealed record SkillRunRequest
{
    /// <summary>The workspace.</summary>
    public required string TenantId { get; init; }

    /// <summary>The skill's name.</summary>
    public required string SkillName { get; init; }

    /// <summary>The inputs, a JSON object of keyword arguments.</summary>
    public string InputsJson { get; init; } = "{}";

    /// <summary>The agent running it, if any.</summary>
    public string? AgentId { get; init; }

    /// <summary>How often the host retried the task this run belongs to (reported in <see cref="SkillExecuted"/>; AlphaEvolver reacts to it).</summary>
    public int Retries { get; init; }

    /// <summary>Tokens the host spent around this run (reported in <see cref="SkillExecuted"/>).</summary>
    public long TokensUsed { get; init; }

    /// <summary>Whether <see cref="SkillExecuted"/> may carry the inputs, so evolution can replay them. Off by default: inputs may be private.</summary>
    public bool RecordInputs { get; init; }

    /// <summary>How long the run may take.</summary>
    public TimeSpan Timeout { get; init; } = SandboxRequest.DefaultTimeout;
}

/// <summary>What running a skill gave.</summary>
/// <param name="Version">The version that ran (the active one).</param>
/// <param name="Result">The sandbox's result.</param>
public sealed record SkillRunResult(SkillVersion Version, SandboxResult Result)
{
    /// <summary>
    /// What a caller is told when the run failed: <c>The skill failed: {status}: {error type}: {message}</c>, starting
    /// with <see cref="SkillLearningChatClient.SkillFailurePrefix"/>; <see langword="null"/> when it succeeded.
    /// </summary>
    public string? Failure => Result.Succeeded
        ? null
        : $"{SkillLearningChatClient.SkillFailurePrefix}: {Result.Status}{(Result.Error is { } e ? $": {e.Type}: {e.Message}" : string.Empty)}";
}

/// <summary>Runs the workspace's skills in the sandbox, and offers them to chat agents as tools.</summary>
public interface ISkillRunner
{
    /// <summary>Runs the active version of a skill and publishes <see cref="SkillExecuted"/>.</summary>
    /// <exception cref="EntityNotFoundException">The workspace has no skill of that name.</exception>
    Task<SkillRunResult> RunAsync(SkillRunRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// The workspace's skills as <see cref="AIFunction"/> tools for an <see cref="IChatClient"/> agent: each runs the
    /// skill's active version in the sandbox; its parameters are those its tests pass.
    /// </summary>
    Task<IReadOnlyList<AIFunction>> GetToolsAsync(string tenantId, string? agentId = null, CancellationToken cancellationToken = default);
}

/// <summary>The default <see cref="ISkillRunner"/>.</summary>
internal sealed class SkillRunner(ISkillRegistry registry, ISandbox sandbox, IEventBus events, TimeProvider time) : ISkillRunner
{
    /// <inheritdoc/>
    public async Task<SkillRunResult> RunAsync(SkillRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = AutoDevTelemetry.Start("skill.run", request.TenantId)?
            .SetTag("autodev.skill", request.SkillName)
            .SetTag("autodev.agent", request.AgentId);
        var details = await registry.FindAsync(request.TenantId, request.SkillName, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(Skill), request.TenantId, request.SkillName);
        var version = details.ActiveVersion;
        activity?.SetTag("autodev.skill.version", version.Version.ToString());
        var result = await sandbox.ExecuteAsync(new SandboxRequest
        {
            TenantId = request.TenantId,
            Code = version.Code,
            EntryPoint = version.EntryPoint,
            InputsJson = request.InputsJson,
            Timeout = request.Timeout,
            SafetyLevel = SafetyLevel.Medium,
        }, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("autodev.outcome", result.Status.ToString());
        await events.PublishAsync(new SkillExecuted
        {
            TenantId = request.TenantId,
            AgentId = request.AgentId,
            SkillId = details.Skill.Id,
            SkillVersionId = version.Id,
            SkillName = details.Skill.Name,
            Duration = result.Duration,
            Success = result.Succeeded,
            ErrorType = result.Succeeded ? null : result.Error?.Type ?? result.Status.ToString(),
            RefusedAsTested = result.Status == SandboxStatus.Failed && result.Error?.Type is { } raised
                && TestCase.ListOf(version.TestCasesJson).Any(c => c.Raises == raised),
            Retries = request.Retries,
            TokensUsed = request.TokensUsed,
            InputsJson = request.RecordInputs ? request.InputsJson : null,
            OccurredAt = time.GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);
        return new SkillRunResult(version, result);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AIFunction>> GetToolsAsync(string tenantId, string? agentId = null, CancellationToken cancellationToken = default)
    {
        var tools = new List<AIFunction>();
        await foreach (var skill in registry.ListAsync(tenantId, cancellationToken).ConfigureAwait(false))
        {
            if (await registry.FindAsync(tenantId, skill.Name, cancellationToken).ConfigureAwait(false) is { } details)
            {
                tools.Add(new SkillFunction(this, details, agentId));
            }
        }

        return tools;
    }

    /// <summary>A skill as a tool: its arguments become the inputs; the return value, or the error, comes back to the model.</summary>
    private sealed class SkillFunction(SkillRunner runner, SkillDetails details, string? agentId) : AIFunction
    {
        public override string Name => details.Skill.Name;

        /// <summary>The function's docstring, which says what it returns; the skill's description when it has none.</summary>
        public override string Description { get; } =
            ModelAnswers.Docstring(details.ActiveVersion.Code, details.ActiveVersion.EntryPoint)
            ?? (string.IsNullOrWhiteSpace(details.Skill.Description) ? $"Runs the skill {details.Skill.Name}." : details.Skill.Description);

        public override JsonElement JsonSchema { get; } = SkillSchema.For(details.ActiveVersion.Code, details.ActiveVersion.EntryPoint, details.ActiveVersion.TestCasesJson);

        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var inputs = JsonSerializer.Serialize(arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
            var run = await runner.RunAsync(new SkillRunRequest { TenantId = details.Skill.TenantId, SkillName = details.Skill.Name, InputsJson = inputs, AgentId = agentId }, cancellationToken).ConfigureAwait(false);
            return run.Failure ?? (object?)run.Result.ReturnValue;
        }
    }
}
