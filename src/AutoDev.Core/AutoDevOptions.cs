using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>Options of AutoDev. Bind them from the <c>AutoDev</c> configuration section or set them in <c>AddAutoDev(options => ...)</c>.</summary>
/// <remarks>Validated when the host starts; an invalid value stops the start with a message that says what to change.</remarks>
public sealed class AutoDevOptions
{
    /// <summary>The configuration section bound by <c>AddAutoDev(configuration)</c>: <c>AutoDev</c>.</summary>
    public const string SectionName = "AutoDev";

    /// <summary>Default of <see cref="FailureThreshold"/>.</summary>
    public const int DefaultFailureThreshold = 2;

    /// <summary>Default of <see cref="EventChannelCapacity"/>.</summary>
    public const int DefaultEventChannelCapacity = 10_000;

    /// <summary>How many similar failures of one agent trigger a new skill candidate.</summary>
    /// <value>Default <see cref="DefaultFailureThreshold"/>; allowed 1 to 100.</value>
    [Range(1, 100)]
    public int FailureThreshold { get; set; } = DefaultFailureThreshold;

    /// <summary>Default of <see cref="FailureWindow"/>.</summary>
    public const int DefaultFailureWindow = 100;

    /// <summary>How many recent failures of each agent reflection compares a new failure with.</summary>
    /// <value>Default <see cref="DefaultFailureWindow"/>; allowed 2 to 10,000.</value>
    [Range(2, 10_000)]
    public int FailureWindow { get; set; } = DefaultFailureWindow;

    /// <summary>
    /// How many answers Memento-Skills asks the model for per failure pattern (<c>k</c>). Each is one model call,
    /// counted against the agent's daily limit and the workspace's token budget; with more than one, the calls use
    /// <see cref="SampleTemperature"/> so that the answers differ. Each answer is validated; the kept one passes the
    /// most held-out cases, then the most of its own tests, then is the shortest (see <see cref="SkillCandidate.OtherSamples"/>).
    /// </summary>
    /// <value>Default 1; allowed 1 to 10.</value>
    [Range(1, 10)]
    public int CandidatesPerPattern { get; set; } = 1;

    /// <summary>The sampling temperature of Memento-Skills' model calls when <see cref="CandidatesPerPattern"/> is more than 1.</summary>
    /// <value>Default 0.8; allowed 0 to 2.</value>
    [Range(0.0, 2.0)]
    public float SampleTemperature { get; set; } = 0.8f;

    /// <summary>How long a skill candidate's tests may run in the sandbox.</summary>
    /// <value>Default 30 seconds; allowed 1 second to 10 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ValidationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a daily-limit reservation counts while it is neither committed nor released. A process that dies during
    /// a model call leaves its reservation behind; after this time the next reservation of the same scope releases it.
    /// Keep it longer than a whole chat call with its retries.
    /// </summary>
    /// <value>Default 15 minutes; allowed 1 minute to 1 day.</value>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan ReservationLease { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Whether <c>AddAutoDev()</c> runs the Memento-Skills loop (failures → candidates → validation) in the host.</summary>
    /// <value>Default <see langword="true"/>; the workspace settings and the gate still decide per workspace and agent.</value>
    public bool RunMementoLoop { get; set; } = true;

    /// <summary>How the event bus delivers events.</summary>
    /// <value>Default <see cref="EventDispatchMode.Channel"/>.</value>
    [EnumDataType(typeof(EventDispatchMode))]
    public EventDispatchMode EventDispatchMode { get; set; } = EventDispatchMode.Channel;

    /// <summary>How many events the channel holds before publishers wait.</summary>
    /// <value>Default <see cref="DefaultEventChannelCapacity"/>; allowed 1 to 1,000,000.</value>
    [Range(1, 1_000_000)]
    public int EventChannelCapacity { get; set; } = DefaultEventChannelCapacity;

    /// <summary>Capabilities of the host's own, each with the lowest maturity allowed to use it. Gated by the master switch and the maturity.</summary>
    public IDictionary<string, AgentMaturity> CustomCapabilities { get; } = new Dictionary<string, AgentMaturity>(StringComparer.Ordinal);

    /// <summary>Settings per workspace id, used until settings are saved for that workspace in the store.</summary>
    public IDictionary<string, WorkspaceSettings> Workspaces { get; } = new Dictionary<string, WorkspaceSettings>(StringComparer.Ordinal);
}

/// <summary>Validates the data annotations of <see cref="AutoDevOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class AutoDevOptionsAnnotationsValidator : IValidateOptions<AutoDevOptions>;

/// <summary>Validates the rules of <see cref="AutoDevOptions"/> that span several values.</summary>
internal sealed class AutoDevOptionsValidator : IValidateOptions<AutoDevOptions>
{
    public ValidateOptionsResult Validate(string? name, AutoDevOptions options)
    {
        var errors = new List<string>();
        foreach (var (capability, maturity) in options.CustomCapabilities)
        {
            if (string.IsNullOrWhiteSpace(capability))
            {
                errors.Add("AutoDev:CustomCapabilities has an empty name; give every custom capability a name.");
            }
            else if (CapabilityNames.BuiltInMinimumMaturity(capability) is not null)
            {
                errors.Add($"AutoDev:CustomCapabilities:{capability} redefines a built-in capability; choose another name.");
            }

            if (!Enum.IsDefined(maturity))
            {
                errors.Add($"AutoDev:CustomCapabilities:{capability} has maturity {(int)maturity}; use Student, Intern, Supervised or Autonomous.");
            }
        }

        foreach (var (workspace, settings) in options.Workspaces)
        {
            errors.AddRange(settings.Validate().Select(e => $"AutoDev:Workspaces:{workspace}: {e}"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
