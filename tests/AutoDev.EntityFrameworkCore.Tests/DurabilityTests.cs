using System.Diagnostics;
using AutoDev.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AutoDev.Tests.ConcurrencyTests;

namespace AutoDev.Tests;

/// <summary>Work in flight survives a host that dies: it is finished after the restart, and nothing is done twice.</summary>
public sealed class DurabilityTests
{
    private const string Tenant = "durable";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task HostKilledDuringValidation_FinishesTheCandidateOnce_AfterARestart(string provider)
    {
        var connection = await ConnectionAsync(provider);
        await using (var services = Services(provider, connection))
        {
            await services.GetRequiredService<IAutoDevDatabase>().MigrateAsync(Ct);
            await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync(Tenant, new WorkspaceSettings { Enabled = true }, Ct);
            await services.GetRequiredService<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Tenant, AgentId = "agent", Maturity = AgentMaturity.Intern }, Ct);
        }

        // 1. A host records two failures; the loop generates a candidate and starts validating it. Kill it there.
        await KillWhenValidatingAsync(StartWorker(provider, connection, Tenant, "host", "fail"));

        var before = await StateAsync(provider, connection);
        Assert.Equal(SkillCandidateStatus.Pending, Assert.Single(before.Candidates).Status);
        Assert.Equal(1, before.ChatCalls);

        // 2. A new host picks the candidate up at start and validates it.
        await RunToEndAsync(StartWorker(provider, connection, Tenant, "host", "recover"));
        var after = await StateAsync(provider, connection);
        var candidate = Assert.Single(after.Candidates);
        Assert.Equal(SkillCandidateStatus.Validated, candidate.Status);
        Assert.Equal(before.Candidates[0].Id, candidate.Id);
        Assert.Equal(1, after.ChatCalls);
        Assert.Equal(1, after.Reservations);

        // 3. Another restart changes nothing.
        await RunToEndAsync(StartWorker(provider, connection, Tenant, "host", "recover"));
        var again = await StateAsync(provider, connection);
        Assert.Equal(candidate.ConcurrencyStamp, Assert.Single(again.Candidates).ConcurrencyStamp);
        Assert.Equal((1, 1), (again.ChatCalls, again.Reservations));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task HostKilledWhileAMutationWaitsForTheSandbox_FinishesItOnce_AfterARestart(string provider)
    {
        var connection = await ConnectionAsync(provider);
        await using (var services = Services(provider, connection))
        {
            await services.GetRequiredService<IAutoDevDatabase>().MigrateAsync(Ct);
            await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync(Tenant, new WorkspaceSettings { Enabled = true }, Ct);
            await services.GetRequiredService<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Tenant, AgentId = "agent", Maturity = AgentMaturity.Supervised }, Ct);
            await services.GetRequiredService<ISkillRegistry>().RegisterAsync(Tenant, "process_invoice", SlowInvoiceSkill.Code, "process_invoice", AutoDev.Testing.ScriptedAnswers.ProcessInvoiceTests, cancellationToken: Ct);
        }

        // 1. A host sees a slow execution; the loop writes a mutation and starts running it in the sandbox. Kill it there.
        await KillWhenValidatingAsync(StartWorker(provider, connection, Tenant, "host", "mutate-fail"));
        var before = await MutationStateAsync(provider, connection);
        Assert.Equal(ToolMutationStatus.Pending, Assert.Single(before.Mutations).Status);
        Assert.Equal(1, before.ChatCalls);

        // 2. A new host picks the mutation up at start and runs parent and child in the real sandbox.
        await RunToEndAsync(StartWorker(provider, connection, Tenant, "host", "recover"));
        var after = await MutationStateAsync(provider, connection);
        var mutation = Assert.Single(after.Mutations);
        Assert.True(mutation.Status == ToolMutationStatus.Passed, mutation.FailureReason);
        Assert.Equal(before.Mutations[0].Id, mutation.Id);
        Assert.NotNull(mutation.Evaluation);
        Assert.Equal((1, 1), (after.ChatCalls, after.Reservations));

        // 3. Another restart changes nothing.
        await RunToEndAsync(StartWorker(provider, connection, Tenant, "host", "recover"));
        var again = await MutationStateAsync(provider, connection);
        Assert.Equal(mutation.ConcurrencyStamp, Assert.Single(again.Mutations).ConcurrencyStamp);
        Assert.Equal((1, 1), (again.ChatCalls, again.Reservations));
    }

    private static async Task KillWhenValidatingAsync(Process dying)
    {
        using (dying)
        {
            try
            {
                string? line;
                while ((line = await dying.StandardOutput.ReadLineAsync(Ct)) is not null && line != "validating")
                {
                }

                if (line != "validating")
                {
                    Assert.Fail($"the host never reached the sandbox: {await dying.StandardError.ReadToEndAsync(Ct)}");
                }
            }
            finally
            {
                dying.Kill(entireProcessTree: true);
                await dying.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    private static async Task<(List<ToolMutation> Mutations, int ChatCalls, int Reservations)> MutationStateAsync(string provider, string connection)
    {
        await using var services = Services(provider, connection);
        var mutations = await services.GetRequiredService<IToolMutationStore>().ListRecentAsync(Tenant, 100, Ct).ToListAsync(Ct);
        var calls = await services.GetRequiredService<IChatCallStore>().ListRecentAsync(Tenant, 100, Ct).CountAsync(Ct);
        var day = WorkerDay;
        var reservations = await services.GetRequiredService<ICapabilityUsageStore>().CountAsync(Tenant, CapabilityNames.AlphaEvolver, null, day, Ct);
        return (mutations, calls, reservations);
    }

    private static async Task RunToEndAsync(Process worker)
    {
        using (worker)
        {
            var output = await worker.StandardOutput.ReadToEndAsync(Ct);
            var error = await worker.StandardError.ReadToEndAsync(Ct);
            await worker.WaitForExitAsync(Ct);
            Assert.True(worker.ExitCode == 0 && output.Contains("stopped", StringComparison.Ordinal), $"the host failed ({worker.ExitCode}): {output} {error}");
        }
    }

    private static async Task<(List<SkillCandidate> Candidates, int ChatCalls, int Reservations)> StateAsync(string provider, string connection)
    {
        await using var services = Services(provider, connection);
        var candidates = new List<SkillCandidate>();
        foreach (var status in Enum.GetValues<SkillCandidateStatus>())
        {
            candidates.AddRange(await services.GetRequiredService<ISkillCandidateStore>().ListByStatusAsync(Tenant, status, Ct).ToListAsync(Ct));
        }

        var calls = await services.GetRequiredService<IChatCallStore>().ListRecentAsync(Tenant, 100, Ct).CountAsync(Ct);
        var day = WorkerDay;
        var reservations = await services.GetRequiredService<ICapabilityUsageStore>().CountAsync(Tenant, CapabilityNames.MementoSkills, "agent", day, Ct);
        return (candidates, calls, reservations);
    }
}
