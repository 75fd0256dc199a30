using AutoDev.Testing;

namespace AutoDev.Tests.Sandboxing;

public sealed class UnprivilegedCommandTests
{
    /// <summary>Regression: two test processes each rented uid 400000 and, returning it, killed the other's fork server.</summary>
    [Fact]
    public void Rent_AnIdAnotherProcessHolds_TakesTheNextOne()
    {
        ServiceRequirement.Require(UnprivilegedCommand.IsRoot, "sandbox user ids are rented only when the host runs as root (CI runs as root)");
        var options = new SandboxOptions { SandboxUserIdRangeStart = 455000, SandboxUserIdRangeSize = 3 };
        Directory.CreateDirectory(UnprivilegedCommand.LockDirectory);

        // Another process's rental is a lock on the id's file; an open file with FileShare.None holds the same lock.
        using (new FileStream(Path.Combine(UnprivilegedCommand.LockDirectory, "455000"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            using var first = UnprivilegedCommand.Rent(options, "test");
            using var second = UnprivilegedCommand.Rent(options, "test");

            Assert.Equal((455001, 455002), (first.UserId, second.UserId));
            Assert.Throws<SandboxUnavailableException>(() => UnprivilegedCommand.Rent(options, "test"));
        }

        using var freed = UnprivilegedCommand.Rent(options, "test");
        Assert.Equal(455000, freed.UserId);
    }
}
