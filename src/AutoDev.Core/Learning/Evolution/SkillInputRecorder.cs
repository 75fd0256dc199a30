using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>
/// Keeps the newest inputs of each skill version's executions, for mutations to replay on parent and child. Only
/// inputs the host allowed to record (<see cref="SkillRunRequest.RecordInputs"/>) arrive here.
/// </summary>
/// <remarks>
/// In memory, at most <see cref="EvolutionOptions.RecordedInputsPerSkill"/> distinct inputs per version. A mutation
/// copies the sample it is evaluated on into <see cref="ToolMutation.EvaluationInputs"/>, so a restart loses nothing a
/// mutation needs. Thread-safe singleton.
/// </remarks>
public sealed class SkillInputRecorder(IOptions<EvolutionOptions> options)
{
    private readonly ConcurrentDictionary<(string Tenant, Guid Version), LinkedList<string>> _inputs = new();

    /// <summary>Records the inputs of one execution, if it carries them.</summary>
    public void Record(SkillExecuted execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var capacity = options.Value.RecordedInputsPerSkill;
        if (execution.InputsJson is not { Length: > 0 } inputs || capacity == 0)
        {
            return;
        }

        var list = _inputs.GetOrAdd((execution.TenantId, execution.SkillVersionId), _ => new LinkedList<string>());
        lock (list)
        {
            if (list.Find(inputs) is { } seen)
            {
                list.Remove(seen);
            }

            list.AddFirst(inputs);
            while (list.Count > capacity)
            {
                list.RemoveLast();
            }
        }
    }

    /// <summary>The version's recorded inputs, newest first.</summary>
    public IReadOnlyList<string> Get(string tenantId, Guid skillVersionId)
    {
        if (!_inputs.TryGetValue((tenantId, skillVersionId), out var list))
        {
            return [];
        }

        lock (list)
        {
            return [.. list];
        }
    }
}
