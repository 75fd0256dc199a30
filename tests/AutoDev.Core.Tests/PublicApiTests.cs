namespace AutoDev.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void AutoDevCore_PublicApi_MatchesSnapshot() => PublicApi.AssertMatchesSnapshot(typeof(IEventBus).Assembly, "AutoDev.Core.Tests");

    [Fact]
    public void AutoDevTesting_PublicApi_MatchesSnapshot() => PublicApi.AssertMatchesSnapshot(typeof(AutoDev.Testing.FakeSandbox).Assembly, "AutoDev.Core.Tests");
}
