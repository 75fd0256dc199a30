using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;

namespace AutoDev;

/// <summary>
/// The settings of one workspace (tenant): the master switch, the per-capability switches and the daily limits.
/// </summary>
/// <remarks>
/// Immutable; change with <c>with</c> and save through <see cref="IWorkspaceStore"/>. A workspace that has never been
/// saved has <see cref="Default"/> settings, in which the master switch is off. JSON uses the shape users already write:
/// an <c>auto_dev</c> object with snake_case keys (see <see cref="FromJson"/>).
/// </remarks>
public sealed record WorkspaceSettings
{
    /// <summary>Default of <see cref="MaxMutationsPerDay"/>.</summary>
    public const int DefaultMaxMutationsPerDay = 10;

    /// <summary>Smallest allowed <see cref="MaxMutationsPerDay"/>.</summary>
    public const int MinMutationsPerDay = 1;

    /// <summary>Largest allowed <see cref="MaxMutationsPerDay"/>.</summary>
    public const int MaxMutationsPerDayLimit = 50;

    /// <summary>Default of <see cref="MaxSkillCandidatesPerDay"/>.</summary>
    public const int DefaultMaxSkillCandidatesPerDay = 5;

    /// <summary>Smallest allowed <see cref="MaxSkillCandidatesPerDay"/>.</summary>
    public const int MinSkillCandidatesPerDay = 1;

    /// <summary>Largest allowed <see cref="MaxSkillCandidatesPerDay"/>.</summary>
    public const int MaxSkillCandidatesPerDayLimit = 20;

    /// <summary>The settings of a workspace nobody configured: everything off behind the master switch.</summary>
    public static WorkspaceSettings Default { get; } = new();

    /// <summary>The master switch. Nothing learns while it is off.</summary>
    /// <value>Default <see langword="false"/>.</value>
    [JsonPropertyName("enabled")]
    [ConfigurationKeyName("enabled")]
    public bool Enabled { get; init; }

    /// <summary>Whether repeated failures may become new skills.</summary>
    /// <value>Default <see langword="true"/>.</value>
    [JsonPropertyName("memento_skills")]
    [ConfigurationKeyName("memento_skills")]
    public bool MementoSkills { get; init; } = true;

    /// <summary>Whether skills may be mutated into better versions.</summary>
    /// <value>Default <see langword="true"/>.</value>
    [JsonPropertyName("alpha_evolver")]
    [ConfigurationKeyName("alpha_evolver")]
    public bool AlphaEvolver { get; init; } = true;

    /// <summary>Whether AUTONOMOUS agents may run research experiments in the background.</summary>
    /// <value>Default <see langword="false"/>.</value>
    [JsonPropertyName("background_evolution")]
    [ConfigurationKeyName("background_evolution")]
    public bool BackgroundEvolution { get; init; }

    /// <summary>Tool mutations the whole workspace may generate per UTC day.</summary>
    /// <value>Default <see cref="DefaultMaxMutationsPerDay"/>; allowed 1 to 50.</value>
    [JsonPropertyName("max_mutations_per_day")]
    [ConfigurationKeyName("max_mutations_per_day")]
    public int MaxMutationsPerDay { get; init; } = DefaultMaxMutationsPerDay;

    /// <summary>Skill candidates each agent may generate per UTC day.</summary>
    /// <value>Default <see cref="DefaultMaxSkillCandidatesPerDay"/>; allowed 1 to 20.</value>
    [JsonPropertyName("max_skill_candidates_per_day")]
    [ConfigurationKeyName("max_skill_candidates_per_day")]
    public int MaxSkillCandidatesPerDay { get; init; } = DefaultMaxSkillCandidatesPerDay;

    /// <summary>Default of <see cref="AutoPromoteMinFitness"/>.</summary>
    public const double DefaultAutoPromoteMinFitness = 0.9;

    /// <summary>Whether validated skill candidates of AUTONOMOUS agents are promoted without a reviewer (when fit enough).</summary>
    /// <value>Default <see langword="false"/>: every candidate waits for a person.</value>
    [JsonPropertyName("auto_promote_skills")]
    [ConfigurationKeyName("auto_promote_skills")]
    public bool AutoPromoteSkills { get; init; }

    /// <summary>The fitness a candidate needs to be promoted without a reviewer.</summary>
    /// <value>Default <see cref="DefaultAutoPromoteMinFitness"/>; allowed 0 to 1.</value>
    [JsonPropertyName("auto_promote_min_fitness")]
    [ConfigurationKeyName("auto_promote_min_fitness")]
    public double AutoPromoteMinFitness { get; init; } = DefaultAutoPromoteMinFitness;

    /// <summary>Default of <see cref="DailyTokenBudget"/>.</summary>
    public const long DefaultDailyTokenBudget = 200_000;

    /// <summary>Smallest allowed <see cref="DailyTokenBudget"/>.</summary>
    public const long MinDailyTokenBudget = 1_000;

    /// <summary>Largest allowed <see cref="DailyTokenBudget"/>.</summary>
    public const long MaxDailyTokenBudget = 1_000_000_000;

    /// <summary>
    /// Model tokens (input plus output, from <c>ChatResponse.Usage</c>) the workspace's learning loops may spend per UTC
    /// day, besides the counts. A model call is refused once the day's usage reaches it.
    /// </summary>
    /// <value>Default <see cref="DefaultDailyTokenBudget"/>; allowed 1,000 to 1,000,000,000.</value>
    [JsonPropertyName("daily_token_budget")]
    [ConfigurationKeyName("daily_token_budget")]
    public long DailyTokenBudget { get; init; } = DefaultDailyTokenBudget;

    /// <summary>Returns every rule these settings break, as sentences that say what to change; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string>? errors = null;
        if (MaxMutationsPerDay is < MinMutationsPerDay or > MaxMutationsPerDayLimit)
        {
            (errors ??= []).Add($"max_mutations_per_day is {MaxMutationsPerDay}; set it between {MinMutationsPerDay} and {MaxMutationsPerDayLimit}.");
        }

        if (MaxSkillCandidatesPerDay is < MinSkillCandidatesPerDay or > MaxSkillCandidatesPerDayLimit)
        {
            (errors ??= []).Add($"max_skill_candidates_per_day is {MaxSkillCandidatesPerDay}; set it between {MinSkillCandidatesPerDay} and {MaxSkillCandidatesPerDayLimit}.");
        }

        if (double.IsNaN(AutoPromoteMinFitness) || AutoPromoteMinFitness is < 0 or > 1)
        {
            (errors ??= []).Add($"auto_promote_min_fitness is {AutoPromoteMinFitness}; set it between 0 and 1.");
        }

        if (DailyTokenBudget is < MinDailyTokenBudget or > MaxDailyTokenBudget)
        {
            (errors ??= []).Add($"daily_token_budget is {DailyTokenBudget}; set it between {MinDailyTokenBudget} and {MaxDailyTokenBudget}.");
        }

        return errors ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Throws <see cref="InvalidSettingsException"/> when <see cref="Validate"/> finds a problem.</summary>
    /// <returns>These settings, for chaining.</returns>
    public WorkspaceSettings EnsureValid()
    {
        var errors = Validate();
        return errors.Count == 0 ? this : throw new InvalidSettingsException(errors);
    }

    /// <summary>
    /// Reads settings from JSON: either <c>{"auto_dev": {...}}</c> or the inner object itself. Missing keys keep their
    /// defaults; unknown keys, wrong types and out-of-range values are errors.
    /// </summary>
    /// <exception cref="InvalidSettingsException">The JSON is malformed or a value is invalid.</exception>
    public static WorkspaceSettings FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var element = document.RootElement;
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("auto_dev", out var inner))
            {
                element = inner;
            }

            // Read into nullable fields: a key that is missing keeps its default.
            var read = element.Deserialize(WorkspaceSettingsJsonContext.Default.WorkspaceSettingsJson)
                ?? throw new InvalidSettingsException(["The auto_dev settings must be a JSON object, not null."]);
            var defaults = Default;
            return new WorkspaceSettings
            {
                Enabled = read.Enabled ?? defaults.Enabled,
                MementoSkills = read.MementoSkills ?? defaults.MementoSkills,
                AlphaEvolver = read.AlphaEvolver ?? defaults.AlphaEvolver,
                BackgroundEvolution = read.BackgroundEvolution ?? defaults.BackgroundEvolution,
                MaxMutationsPerDay = read.MaxMutationsPerDay ?? defaults.MaxMutationsPerDay,
                MaxSkillCandidatesPerDay = read.MaxSkillCandidatesPerDay ?? defaults.MaxSkillCandidatesPerDay,
                AutoPromoteSkills = read.AutoPromoteSkills ?? defaults.AutoPromoteSkills,
                AutoPromoteMinFitness = read.AutoPromoteMinFitness ?? defaults.AutoPromoteMinFitness,
                DailyTokenBudget = read.DailyTokenBudget ?? defaults.DailyTokenBudget,
            }.EnsureValid();
        }
        catch (JsonException ex)
        {
            throw new InvalidSettingsException([$"The auto_dev settings are not valid JSON for AutoDev: {ex.Message}"]);
        }
    }

    /// <summary>Writes these settings as <c>{"auto_dev": {...}}</c>.</summary>
    public string ToJson()
    {
        var inner = JsonSerializer.Serialize(this, WorkspaceSettingsJsonContext.Default.WorkspaceSettings);
        return "{\"auto_dev\":" + inner + "}";
    }
}

[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(WorkspaceSettings))]
[JsonSerializable(typeof(WorkspaceSettingsJson))]
internal sealed partial class WorkspaceSettingsJsonContext : JsonSerializerContext;

/// <summary>The JSON shape of <see cref="WorkspaceSettings"/> as read: every key optional.</summary>
internal sealed class WorkspaceSettingsJson
{
    [JsonPropertyName("enabled")]
    public bool? Enabled { get; set; }

    [JsonPropertyName("memento_skills")]
    public bool? MementoSkills { get; set; }

    [JsonPropertyName("alpha_evolver")]
    public bool? AlphaEvolver { get; set; }

    [JsonPropertyName("background_evolution")]
    public bool? BackgroundEvolution { get; set; }

    [JsonPropertyName("max_mutations_per_day")]
    public int? MaxMutationsPerDay { get; set; }

    [JsonPropertyName("max_skill_candidates_per_day")]
    public int? MaxSkillCandidatesPerDay { get; set; }

    [JsonPropertyName("auto_promote_skills")]
    public bool? AutoPromoteSkills { get; set; }

    [JsonPropertyName("auto_promote_min_fitness")]
    public double? AutoPromoteMinFitness { get; set; }

    [JsonPropertyName("daily_token_budget")]
    public long? DailyTokenBudget { get; set; }
}
