[assembly: AssemblyFixture(typeof(AutoDev.Tests.DatabaseCleanup))]

namespace AutoDev.Tests;

/// <summary>After the last test of the run: drops every PostgreSQL database and deletes every SQLite file the tests made.</summary>
public sealed class DatabaseCleanup : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await Databases.RemoveAllAsync();
}
