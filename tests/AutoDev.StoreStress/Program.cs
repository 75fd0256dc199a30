// One of several processes that hammer one AutoDev database at once: each requests skill candidates (one pattern) and
// tool mutations for the same workspace, through the capability gate, as fast as it can. The test that starts them
// checks the limits held and no pattern got two open candidates. Prints one JSON line: what this process got.
//   dotnet AutoDev.StoreStress.dll <sqlite|postgres> <connection string> <tenant> <attempts>
using System.Text.Json;
using AutoDev;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: AutoDev.StoreStress <sqlite|postgres> <connection string> <tenant> <attempts>");
    return 2;
}

var (provider, connectionString, tenant, attempts) = (args[0], args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
var services = new ServiceCollection();
services.AddAutoDev().AddEntityFrameworkStores(o =>
{
    if (provider == "postgres")
    {
        o.UseNpgsql(connectionString);
    }
    else
    {
        o.UseSqlite(connectionString);
    }
});
await using var serviceProvider = services.BuildServiceProvider();
var gate = serviceProvider.GetRequiredService<ICapabilityGate>();
var candidates = serviceProvider.GetRequiredService<ISkillCandidateStore>();
var mutations = serviceProvider.GetRequiredService<IToolMutationStore>();

// Warm up (first connection, model), then wait for the test's "go" so that all processes start together.
await candidates.FindOpenByPatternAsync(tenant, "warm-up", CancellationToken.None);
Console.WriteLine("ready");
Console.ReadLine();

int reservedCandidates = 0, createdCandidates = 0, reservedMutations = 0;
await Parallel.ForAsync(0, attempts, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
{
    if (await TryReserveAsync(CapabilityNames.MementoSkills, ct))
    {
        Interlocked.Increment(ref reservedCandidates);
        var added = await candidates.AddAsync(new SkillCandidate
        {
            TenantId = tenant,
            AgentId = "agent",
            Name = "extract_invoice_id",
            EntryPoint = "extract_invoice_id",
            PatternKey = "extract invoice id",
        }, ct);
        if (added.Created)
        {
            Interlocked.Increment(ref createdCandidates);
        }
    }

    if (await TryReserveAsync(CapabilityNames.AlphaEvolver, ct))
    {
        Interlocked.Increment(ref reservedMutations);
        await mutations.AddAsync(new ToolMutation { TenantId = tenant, SkillId = Guid.Empty, ParentToolId = Guid.Empty }, ct);
    }
});

Console.WriteLine(JsonSerializer.Serialize(new { reservedCandidates, createdCandidates, reservedMutations }));
return 0;

async Task<bool> TryReserveAsync(string capability, CancellationToken cancellationToken)
{
    try
    {
        var reservation = await gate.ReserveAsync(tenant, "agent", capability, cancellationToken);
        await reservation.CommitAsync(cancellationToken);
        return true;
    }
    catch (LimitExceededException)
    {
        return false;
    }
}
