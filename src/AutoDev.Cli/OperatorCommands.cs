using System.CommandLine;
using System.Globalization;
using AutoDev.AspNetCore;

namespace AutoDev.Cli;

/// <summary><c>autodev review</c>, <c>skills</c>, <c>agents</c> and <c>usage</c>, over an AutoDev store or a running API.</summary>
internal static class OperatorCommands
{
    /// <summary>The most items a list command shows (the API's own maximum).</summary>
    private const int ListLength = 1_000;

    public static Command Review()
    {
        var id = new Argument<Guid>("candidate") { Description = "The candidate's id." };
        var reason = new Option<string?>("--reason") { Description = "Why (required to reject)." };
        var reviewer = new Option<string>("--reviewer")
        {
            Description = "Who decides, on a store (default: this machine's user). Over --url the API's signed-in user decides.",
            DefaultValueFactory = _ => Environment.UserName,
        };
        return new Command("review", "The review queue: list what waits, show a candidate, approve or reject it.")
        {
            OperatorCommand.Create("list", "Lists the candidates and mutations waiting for review, oldest first.", async (_, c) =>
                await c.WriteAsync(await c.Operator.PendingAsync(ListLength, c.Cancellation), queue =>
                {
                    var table = new Table("KIND", "ID", "SKILL", "AGENT / TRIGGER", "TESTS", "HELD OUT", "CREATED");
                    foreach (var x in queue.Candidates)
                    {
                        table.Add("candidate", x.Id, x.Name, x.AgentId, $"{x.TestsPassed}/{x.Tests}", $"{x.HeldOutPassed}/{x.HeldOut}", Time(x.CreatedAt));
                    }

                    foreach (var m in queue.Mutations)
                    {
                        table.Add("mutation", m.Id, m.SkillId, m.Trigger, m.ChildWins ? "child wins" : "parent wins", string.Empty, Time(m.CreatedAt));
                    }

                    return table;
                })),
            OperatorCommand.Create("show", "Shows a candidate: its code, tests and results, and the failed episodes it came from.", async (r, c) =>
                await c.WriteAsync(await c.Operator.CandidateAsync(r.GetValue(id), c.Cancellation), item =>
                {
                    var x = item.Candidate;
                    var table = new Table("FIELD", "VALUE").Add("id", x.Id).Add("skill", x.Name).Add("status", x.Status).Add("agent", x.AgentId).Add("description", x.Description);
                    foreach (var result in x.TestResults.Concat(x.HeldOutResults))
                    {
                        table.Add(result.Passed ? "passed" : "FAILED", $"{result.Case.InputsJson} -> {result.Case.ExpectedJson ?? "raises " + result.Case.Raises} (got {result.Actual})");
                    }

                    foreach (var episode in item.SourceEpisodes)
                    {
                        table.Add("from episode", $"{episode.TaskDescription}: {episode.ErrorTrace}");
                    }

                    return table.Add("code", x.Code);
                }), id),
            OperatorCommand.Create("approve", "Approves a validated candidate: it becomes its skill's next version.", async (r, c) =>
            {
                var version = await c.Operator.ApproveAsync(r.GetValue(id), r.GetValue(reviewer)!, r.GetValue(reason), c.Cancellation);
                return await c.WriteAsync(version, v => new Table("SKILL VERSION", "ID").Add(v.Version, v.Id));
            }, id, reason, reviewer),
            OperatorCommand.Create("reject", "Rejects a candidate, with --reason.", async (r, c) =>
            {
                var why = r.GetValue(reason) is { Length: > 0 } given ? given : throw new ArgumentException("A rejection needs --reason.");
                var candidate = await c.Operator.RejectAsync(r.GetValue(id), r.GetValue(reviewer)!, why, c.Cancellation);
                return await c.WriteAsync(candidate, x => new Table("ID", "STATUS").Add(x.Id, x.Status));
            }, id, reason, reviewer),
        };
    }

    public static Command Skills()
    {
        var name = new Argument<string>("skill") { Description = "The skill's name." };
        var version = new Argument<string>("version") { Description = "The version to make active again, for example 1.0.0." };
        var file = new Argument<FileInfo>("file") { Description = "The skill package (zip)." };
        return new Command("skills", "The workspace's skills: list, show, lineage, rollback, export and import.")
        {
            OperatorCommand.Create("list", "Lists the skills with their active versions.", async (_, c) =>
                await c.WriteAsync(await c.Operator.SkillsAsync(ListLength, c.Cancellation),
                    list => list.Aggregate(new Table("SKILL", "ACTIVE", "DESCRIPTION"), (t, x) => t.Add(x.Name, x.ActiveVersion, x.Description)))),
            OperatorCommand.Create("show", "Shows a skill's versions and where each came from.", async (r, c) =>
                await c.WriteAsync(await c.Operator.SkillAsync(r.GetValue(name)!, c.Cancellation), d => d.Versions.Aggregate(new Table("VERSION", "ACTIVE", "FROM", "CREATED"), (t, v) =>
                    t.Add(v.Version, v.Id == d.ActiveVersion.Id ? "*" : string.Empty, v.SourceMutationId is { } m ? $"mutation {m}" : v.SourceCandidateId is { } k ? $"candidate {k}" : "registered", Time(v.CreatedAt)))), name),
            OperatorCommand.Create("lineage", "Shows the active version's ancestors and descendants.", async (r, c) =>
                await c.WriteAsync(await c.Operator.LineageAsync(r.GetValue(name)!, c.Cancellation), l =>
                {
                    var table = new Table("VERSION", "RELATION", "FITNESS");
                    foreach (var v in l.Ancestors)
                    {
                        table.Add(v.Version, "ancestor", v.FitnessScore);
                    }

                    table.Add(l.Self.Version, "this", l.Self.FitnessScore);
                    foreach (var v in l.Descendants)
                    {
                        table.Add(v.Version, "descendant", v.FitnessScore);
                    }

                    return table;
                }), name),
            OperatorCommand.Create("rollback", "Makes an earlier version active again.", async (r, c) =>
            {
                var target = SemanticVersion.TryParse(r.GetValue(version), out var parsed) ? parsed : throw new ArgumentException($"'{r.GetValue(version)}' is not a version such as 1.0.0.");
                var skill = await c.Operator.RollbackAsync(r.GetValue(name)!, target, c.Cancellation);
                return await c.WriteAsync(new { skill.Name, Active = target.ToString() }, x => new Table("SKILL", "ACTIVE").Add(x.Name, x.Active));
            }, name, version),
            OperatorCommand.Create("export", "Writes the skill's active version as a package (zip) to the file.", async (r, c) =>
            {
                var target = r.GetValue(file)!;
                await Console.Error.WriteLineAsync($"exporting {r.GetValue(name)} to {target.Name} ...");
                await using (var stream = target.Create())
                {
                    await c.Operator.ExportAsync(r.GetValue(name)!, stream, c.Cancellation);
                }

                return await c.WriteAsync(new { Skill = r.GetValue(name), File = target.FullName, Bytes = new FileInfo(target.FullName).Length }, x => new Table("SKILL", "FILE", "BYTES").Add(x.Skill, x.File, x.Bytes));
            }, name, file),
            OperatorCommand.Create("import", "Imports a package: it is validated in the sandbox and waits for review like a learned skill.", async (r, c) =>
            {
                await Console.Error.WriteLineAsync($"validating {r.GetValue(file)!.Name} in the sandbox ...");
                await using var stream = r.GetValue(file)!.OpenRead();
                var candidate = await c.Operator.ImportAsync(stream, c.Cancellation);
                return await c.WriteAsync(candidate, x => new Table("CANDIDATE", "SKILL", "STATUS", "REASON").Add(x.Id, x.Name, x.Status, x.FailureReason));
            }, file),
        };
    }

    public static Command Agents()
    {
        var agent = new Argument<string>("agent") { Description = "The agent's id." };
        return new Command("agents", "The workspace's agents: maturity, graduation readiness, today's skill candidates.")
        {
            OperatorCommand.Create("list", "Lists the agents with their maturity and readiness.", async (_, c) =>
                await c.WriteAsync(await c.Operator.AgentsAsync(ListLength, c.Cancellation),
                    list => list.Aggregate(new Table("AGENT", "MATURITY", "EPISODES", "CANDIDATES TODAY", "READINESS", "MISSING"), (t, a) =>
                        t.Add(a.AgentId, a.Maturity, a.Episodes, a.SkillCandidatesToday, Percent(a.Readiness.Score), string.Join(", ", a.Readiness.Shortfalls))))),
            OperatorCommand.Create("show", "Shows an agent.", async (r, c) =>
                await c.WriteAsync(await c.Operator.AgentAsync(r.GetValue(agent)!, c.Cancellation), a => new Table("FIELD", "VALUE").Add("agent", a.AgentId).Add("maturity", a.Maturity).Add("episodes", a.Episodes)
                    .Add("intervention rate", Percent(a.InterventionRate)).Add("skill candidates today", a.SkillCandidatesToday).Add("next level", a.Readiness.Next)
                    .Add("readiness", Percent(a.Readiness.Score)).Add("missing", string.Join(", ", a.Readiness.Shortfalls))), agent),
        };
    }

    public static Command Usage() => OperatorCommand.Create("usage", "Today's (UTC) model tokens against the daily budget, and mutations against the daily limit.", async (_, c) =>
        await c.WriteAsync(await c.Operator.UsageAsync(c.Cancellation), u => new Table("MEASURE", "USED", "LIMIT")
            .Add("model tokens", u.TokensUsed, u.TokenBudget)
            .Add("mutations", u.MutationsToday, u.MaxMutationsPerDay)
            .Add("skill candidates, per agent (see agents list)", string.Empty, u.MaxSkillCandidatesPerDay)));

    private static string Time(DateTimeOffset at) => at.ToString("u", CultureInfo.InvariantCulture);

    private static string Percent(double share) => share.ToString("P0", CultureInfo.InvariantCulture);
}
