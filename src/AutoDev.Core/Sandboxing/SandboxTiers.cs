namespace AutoDev.Sandboxing;

/// <summary>The names of AutoDev's sandbox tiers, as reported in <see cref="SandboxResult.Tier"/>.</summary>
public static class SandboxTiers
{
    /// <summary>Hardened Docker containers (AutoDev.Sandbox.Docker). The strongest.</summary>
    public const string Docker = "docker";

    /// <summary>bubblewrap namespaces.</summary>
    public const string Bubblewrap = "bubblewrap";

    /// <summary>A plain child process with rlimits. Weak: see <see cref="ProcessSandbox"/>.</summary>
    public const string Process = "process";
}
