// A separate process for the EF tests: several of them share one database, or one is killed and restarted.
//   stress <sqlite|postgres> <connection> <tenant> <attempts>
//       request skill candidates (one pattern) and tool mutations through the gate, as fast as possible, after the
//       test's "go" on stdin; prints {"reservedCandidates":..,"createdCandidates":..,"reservedMutations":..}.
//   generate <sqlite|postgres> <connection> <tenant> <patterns>
//       after the test's "go", asks Memento for a candidate for each of <patterns> failure patterns at once (the
//       test stored one failed episode); the model answers after 200 ms. Prints {"modelCalls":..}.
//   record <sqlite|postgres> <connection> <tenant> <episodes>
//       after the test's "go", records <episodes> failures of the agent "agent" through IEpisodeRecorder, four at a
//       time, and counts the TaskFailed events published. Prints {"recorded":..,"failedEvents":..}.
//   host <sqlite|postgres> <connection> <tenant> <fail|mutate-fail|recover>
//       a host with the Memento and AlphaEvolver loops: "fail" records two failures; "mutate-fail" reports a slow
//       execution of the skill process_invoice (which the test stored); in both its sandbox hangs after printing
//       "validating" (the test kills it there). "recover" only starts and stops the host, which validates and
//       evaluates what was waiting, then prints "stopped".
// With AUTODEV_TEST_DAY=yyyy-MM-dd set, every mode's clock runs from noon UTC of that day, so all the workers of a test
// count their daily limits on the day the test checks, whenever midnight falls.
using System.Text.Json;
using AutoDev;
using AutoDev.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

if (args.Length != 5)
{
    Console.Error.WriteLine("usage: AutoDev.TestWorker <stress|generate|host> <sqlite|postgres> <connection string> <tenant> <attempts|fail|mutate-fail|recover>");
    return 2;
}

var (mode, provider, connectionString, tenant, last) = (args[0], args[1], args[2], args[3], args[4]);
return mode switch
{
    "stress" => await StressAsync(),
    "generate" => await GenerateAsync(),
    "record" => await RecordAsync(),
    _ => await HostAsync(),
};

void UseDatabase(DbContextOptionsBuilder options)
{
    if (provider == "postgres")
    {
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(AutoDev.EntityFrameworkCore.PostgreSql.PostgreSqlMigrations.Assembly));
    }
    else
    {
        options.UseSqlite(connectionString);
    }
}

async Task<int> StressAsync()
{
    var attempts = int.Parse(last, System.Globalization.CultureInfo.InvariantCulture);
    var services = new ServiceCollection();
    services.AddAutoDev().AddEntityFrameworkStores(UseDatabase);
    UseTestDay(services);
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
        if (await TryReserveAsync(gate, CapabilityNames.MementoSkills, ct))
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

        if (await TryReserveAsync(gate, CapabilityNames.AlphaEvolver, ct))
        {
            Interlocked.Increment(ref reservedMutations);
            await mutations.AddAsync(new ToolMutation { TenantId = tenant, SkillId = Guid.Empty, ParentVersionId = Guid.NewGuid() }, ct);
        }
    });

    Console.WriteLine(JsonSerializer.Serialize(new { reservedCandidates, createdCandidates, reservedMutations }));
    return 0;
}

async Task<int> GenerateAsync()
{
    var patterns = int.Parse(last, System.Globalization.CultureInfo.InvariantCulture);
    var modelCalls = 0;
    var services = new ServiceCollection();
    services.AddAutoDev()
        .AddEntityFrameworkStores(UseDatabase)
        .UseChatClient(new ScriptedChatClient(async (_, _, ct) =>
        {
            Interlocked.Increment(ref modelCalls);
            await Task.Delay(200, ct);
            return ScriptedChatClient.Text(ScriptedAnswers.ExtractInvoiceId);
        }));
    UseTestDay(services);
    await using var serviceProvider = services.BuildServiceProvider();
    var engine = serviceProvider.GetRequiredService<MementoEngine>();
    var episode = await serviceProvider.GetRequiredService<IEpisodeStore>().ListRecentAsync(tenant, "agent", false, 1, CancellationToken.None).FirstAsync();
    await serviceProvider.GetRequiredService<ISkillCandidateStore>().FindOpenByPatternAsync(tenant, "warm-up", CancellationToken.None);
    Console.WriteLine("ready");
    Console.ReadLine();

    await Parallel.ForAsync(0, patterns, new ParallelOptions { MaxDegreeOfParallelism = patterns }, async (i, ct) =>
        await engine.GenerateSkillCandidateAsync(new MementoRequest(tenant, "agent", episode.Id) { PatternKey = $"pattern-{i}" }, ct));
    Console.WriteLine(JsonSerializer.Serialize(new { modelCalls }));
    return 0;
}

async Task<int> RecordAsync()
{
    var count = int.Parse(last, System.Globalization.CultureInfo.InvariantCulture);
    var services = new ServiceCollection();
    services.AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline).AddEntityFrameworkStores(UseDatabase);
    UseTestDay(services);
    await using var serviceProvider = services.BuildServiceProvider();
    var recorder = serviceProvider.GetRequiredService<IEpisodeRecorder>();
    int recorded = 0, failedEvents = 0;
    using var subscription = serviceProvider.GetRequiredService<IEventBus>().Subscribe<TaskFailed>((_, _) =>
    {
        Interlocked.Increment(ref failedEvents);
        return ValueTask.CompletedTask;
    });
    await serviceProvider.GetRequiredService<IAgentProfileStore>().FindAsync(tenant, "warm-up", CancellationToken.None);
    Console.WriteLine("ready");
    Console.ReadLine();

    await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
    {
        await recorder.RecordAsync(new Episode { TenantId = tenant, AgentId = "agent", TaskDescription = $"task {i}", HumanIntervention = i % 10 == 0 }, ct);
        Interlocked.Increment(ref recorded);
    });
    Console.WriteLine(JsonSerializer.Serialize(new { recorded, failedEvents }));
    return 0;
}

async Task<bool> TryReserveAsync(ICapabilityGate gate, string capability, CancellationToken cancellationToken)
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

async Task<int> HostAsync()
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    var autodev = builder.Services.AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline)
        .AddEntityFrameworkStores(UseDatabase, stores => stores.MigrateOnStart = true)
        .UseChatClient(new ScriptedChatClient((_, _, _) => Task.FromResult(ScriptedChatClient.Text(last == "fail" ? ScriptedAnswers.ExtractInvoiceId : ScriptedAnswers.ProcessInvoiceFast))))
        .ConfigureSandbox(o => o.AllowProcessTierForUntrustedCode = true);
    if (last is "fail" or "mutate-fail")
    {
        autodev.UseSandbox(new HangingSandbox());
    }

    UseTestDay(builder.Services);

    using var host = builder.Build();
    await host.StartAsync();
    if (last == "fail")
    {
        var recorder = host.Services.GetRequiredService<IEpisodeRecorder>();
        foreach (var email in new[] { "Hi, invoice INV-2024-0042 is wrong", "Please resend invoice #INV-2024-0077" })
        {
            await recorder.RecordAsync(new Episode
            {
                TenantId = tenant,
                AgentId = "agent",
                TaskDescription = "Extract invoice ID from customer emails",
                ErrorTrace = "KeyError: 'invoice_id'",
                ContextJson = JsonSerializer.Serialize(new { text = email }),
            });
        }
    }

    if (last == "mutate-fail")
    {
        var skill = await host.Services.GetRequiredService<ISkillStore>().FindByNameAsync(tenant, "process_invoice", CancellationToken.None)
            ?? throw new InvalidOperationException("The test stores process_invoice first.");
        await host.Services.GetRequiredService<IEventBus>().PublishAsync(new SkillExecuted
        {
            TenantId = tenant,
            AgentId = "agent",
            SkillId = skill.Id,
            SkillVersionId = skill.ActiveVersionId!.Value,
            SkillName = skill.Name,
            Duration = TimeSpan.FromSeconds(6),
            Success = true,
        });
    }

    // Recovery runs in the background after start: let it finish before stopping.
    await host.Services.GetRequiredService<MementoLoop>().Recovery;
    await host.Services.GetRequiredService<EvolutionLoop>().Recovery;
    await host.StopAsync();
    Console.WriteLine("stopped");
    return 0;
}

static void UseTestDay(IServiceCollection services)
{
    if (Environment.GetEnvironmentVariable("AUTODEV_TEST_DAY") is { Length: > 0 } day)
    {
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(new NoonClock(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture))));
    }
}

/// <summary>Noon UTC of one day, plus the time since the process started.</summary>
internal sealed class NoonClock(DateOnly day) : TimeProvider
{
    private readonly long _start = System.GetTimestamp();

    public override DateTimeOffset GetUtcNow() =>
        new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero) + System.GetElapsedTime(_start);
}

/// <summary>A sandbox that says it is validating, then never returns: the test kills the process here.</summary>
internal sealed class HangingSandbox : ISandbox
{
    public string Tier => "hanging";

    public async Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        Console.WriteLine("validating");
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }
}
