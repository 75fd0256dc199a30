using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>How <see cref="ResilientChatClient"/> makes chat calls resilient: a time-out per attempt, retries, and a circuit breaker; and the cap on every answer.</summary>
/// <remarks>Set with <c>AddAutoDev().ConfigureChat(...)</c>; validated when the host starts.</remarks>
public sealed class ChatResilienceOptions
{
    /// <summary>How long one attempt may take before it is cancelled and counted as a time-out.</summary>
    /// <value>Default 120 seconds; allowed 10 ms to 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>How many times a transient failure (time-out, 429, 5xx, network) is retried.</summary>
    /// <value>Default 3; allowed 0 to 10.</value>
    [Range(0, 10)]
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The first back-off delay; later ones grow exponentially, with jitter.</summary>
    /// <value>Default 1 second; allowed 0 to 1 minute.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest wait before a retry. A service that asks (with <c>Retry-After</c>) for a longer wait is not retried:
    /// the call fails at once with the requested wait in its reason.
    /// </summary>
    /// <value>Default 60 seconds; allowed 0 to 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The share of failed calls in <see cref="CircuitSamplingDuration"/> that opens the circuit.</summary>
    /// <value>Default 0.5; allowed 0.01 to 1.</value>
    [Range(0.01, 1.0)]
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>The fewest calls in <see cref="CircuitSamplingDuration"/> before the circuit may open.</summary>
    /// <value>Default 8; allowed 2 to 1,000.</value>
    [Range(2, 1000)]
    public int CircuitMinimumThroughput { get; set; } = 8;

    /// <summary>The window over which failures are counted.</summary>
    /// <value>Default 60 seconds; allowed 0.5 second to 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The cap on every answer AutoDev asks for (sent as <c>ChatOptions.MaxOutputTokens</c>). With the prompt's length it
    /// bounds what a call can cost: the budget must hold the bound before the call, and a call is never charged more,
    /// whatever usage the service reports.
    /// </summary>
    /// <value>Default <see cref="DefaultMaxOutputTokens"/>; allowed 1 to 1,000,000.</value>
    [Range(1, 1_000_000)]
    public int MaxOutputTokens { get; set; } = DefaultMaxOutputTokens;

    /// <summary>A copy of these options (every property is a value).</summary>
    internal ChatResilienceOptions Clone() => (ChatResilienceOptions)MemberwiseClone();

    /// <summary>Default of <see cref="MaxOutputTokens"/>: 4,096.</summary>
    public const int DefaultMaxOutputTokens = 4096;

    /// <summary>How long an open circuit refuses calls before it lets one through to test the service.</summary>
    /// <value>Default 30 seconds; allowed 0.5 second to 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Validates <see cref="ChatResilienceOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class ChatResilienceOptionsValidator : IValidateOptions<ChatResilienceOptions>;
