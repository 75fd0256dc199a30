using Xunit;

namespace AutoDev.Testing;

/// <summary>
/// The rule for tests that need a service (a Docker engine, bubblewrap, a database): skip with the reason on a
/// machine without it, but fail under <c>CI=true</c>, where a missing service is a broken set-up, not a reason to skip.
/// </summary>
public static class ServiceRequirement
{
    /// <summary>Whether the environment says this is CI: <c>CI</c> set to <c>true</c>, <c>1</c>, <c>yes</c> or <c>on</c>, in any case.</summary>
    public static bool IsCI => IsTruthy(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Whether an environment value means "on", the way CI systems set <c>CI</c>.</summary>
    public static bool IsTruthy(string? value) => value?.Trim().ToLowerInvariant() is "true" or "1" or "yes" or "on";

    /// <summary>Returns when <paramref name="availability"/> is available; otherwise skips the test, or fails it under CI.</summary>
    public static void Require(SandboxAvailability availability)
    {
        ArgumentNullException.ThrowIfNull(availability);
        Require(availability.IsAvailable, availability.Reason);
    }

    /// <summary>Returns when <paramref name="available"/>; otherwise skips the test with <paramref name="reason"/>, or fails it under CI.</summary>
    public static void Require(bool available, string reason)
    {
        if (available)
        {
            return;
        }

        if (IsCI)
        {
            Assert.Fail($"CI=true and a service the test needs is unavailable: {reason}");
        }

        Assert.Skip($"A service the test needs is unavailable here: {reason}");
    }
}
