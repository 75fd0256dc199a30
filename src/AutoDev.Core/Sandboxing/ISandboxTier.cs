namespace AutoDev.Sandboxing;

/// <summary>A sandbox that <see cref="TieredSandbox"/> can choose: it knows how strong it is and whether it can run here.</summary>
public interface ISandboxTier : ISandbox
{
    /// <summary>How strong its isolation is; the strongest available tier is chosen. Process 10, bubblewrap 20, Docker 30.</summary>
    int Strength { get; }

    /// <summary>Whether this tier works on this machine now, and why not.</summary>
    ValueTask<SandboxAvailability> CheckAvailabilityAsync(CancellationToken cancellationToken);
}

/// <summary>Whether a tier can run here.</summary>
/// <param name="IsAvailable">Whether it can.</param>
/// <param name="Reason">Why not, in a sentence that says what to install or start.</param>
public sealed record SandboxAvailability(bool IsAvailable, string Reason)
{
    /// <summary>Available.</summary>
    public static SandboxAvailability Available { get; } = new(true, "available");

    /// <summary>
    /// Whether <see cref="TieredSandbox"/> may choose a weaker tier while this one is unavailable. <see langword="false"/>
    /// for a tier the host asked for by name: its requests then fail with <see cref="SandboxUnavailableException"/>.
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool FallbackAllowed { get; init; } = true;

    /// <summary>Not available, because of <paramref name="reason"/>; a weaker tier may run the code instead.</summary>
    public static SandboxAvailability Unavailable(string reason) => new(false, reason);

    /// <summary>Not available, because of <paramref name="reason"/>, and no weaker tier may run the code instead.</summary>
    public static SandboxAvailability Required(string reason) => new(false, reason) { FallbackAllowed = false };
}
