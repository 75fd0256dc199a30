using System.CommandLine;
using AutoDev.Storage;

namespace AutoDev.Cli;

/// <summary><c>autodev review</c>, <c>skills</c>, <c>agents</c> and <c>usage</c>, over an AutoDev store.</summary>
internal static class OperatorCommands
{
    public static Command Review()
    {
        var id = new Argument<Guid>("candidate") { Description = "The candidate's id." };
        var reason = new Option<string?>("--reason") { Description = "Why (required to reject)." };
        var reviewer = new Option<string>("--reviewer") { Description = "Who decides (default: this machine's user).", DefaultValueFactory = _ => Environment.UserName };
        return new Command("review", "The review queue: list what waits, show a candidate, approve or reject it.")
        {
            StoreCommand.Create("list", "Lists the candidates waiting for review, oldest first.", async (_, c) =>
                await c.WriteAsync(
                    await c.Get<ISkillCandidateStore>().ListByStatusAsync(c.Workspace, SkillCandidateStatus.Validated, 1_000, c.Cancellation).ToListAsync(c.Cancellation),
                    list => list.Aggregate(new Table("ID", "SKILL", "AGENT", "TESTS", "HELD OUT", "CREATED"), (t, x) =>
                        t.Add(x.Id, x.Name, x.AgentId, $"{x.TestResults.Count(r => r.Passed)}/{x.TestResults.Count}", $"{x.HeldOutResults.Count(r => r.Passed)}/{x.HeldOutResults.Count}", x.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture))))),
            StoreCommand.Create("show", "Shows a candidate: its code, tests and results.", async (r, c) =>
            {
                var candidate = await c.Get<ISkillCandidateStore>().FindAsync(c.Workspace, r.GetValue(id), c.Cancellation)
                    ?? throw new EntityNotFoundException(nameof(SkillCandidate), c.Workspace, r.GetValue(id));
                return await c.WriteAsync(candidate, x =>
                {
                    var table = new Table("FIELD", "VALUE").Add("id", x.Id).Add("skill", x.Name).Add("status", x.Status).Add("agent", x.AgentId).Add("description", x.Description);
                    foreach (var result in x.TestResults.Concat(x.HeldOutResults))
                    {
                        table.Add(result.Passed ? "passed" : "FAILED", $"{result.Case.InputsJson} -> {result.Case.ExpectedJson ?? "raises " + result.Case.Raises} (got {result.Actual})");
                    }

                    return table.Add("code", x.Code);
                });
            }, id),
            StoreCommand.Create("approve", "Approves a validated candidate: it becomes its skill's next version.", async (r, c) =>
            {
                var version = await c.Get<IReviewService>().ApproveAsync(c.Workspace, r.GetValue(id), r.GetValue(reviewer)!, r.GetValue(reason), c.Cancellation);
                return await c.WriteAsync(version, v => new Table("SKILL VERSION", "ID").Add(v.Version, v.Id));
            }, id, reason, reviewer),
            StoreCommand.Create("reject", "Rejects a candidate, with --reason.", async (r, c) =>
            {
                var why = r.GetValue(reason) is { Length: > 0 } given ? given : throw new ArgumentException("A rejection needs --reason.");
                var candidate = await c.Get<IReviewService>().RejectAsync(c.Workspace, r.GetValue(id), r.GetValue(reviewer)!, why, c.Cancellation);
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
            StoreCommand.Create("list", "Lists the skills with their active versions.", async (_, c) =>
            {
                var registry = c.Get<ISkillRegistry>();
                var details = new List<SkillDetails>();
                await foreach (var skill in registry.ListAsync(c.Workspace, c.Cancellation))
                {
                    details.Add((await registry.FindAsync(c.Workspace, skill.Name, c.Cancellation))!);
                }

                return await c.WriteAsync(details.Select(d => new { d.Skill.Name, Active = d.ActiveVersion.Version.ToString(), Versions = d.Versions.Count, d.Skill.Description }).ToList(),
                    list => list.Aggregate(new Table("SKILL", "ACTIVE", "VERSIONS", "DESCRIPTION"), (t, x) => t.Add(x.Name, x.Active, x.Versions, x.Description)));
            }),
            StoreCommand.Create("show", "Shows a skill's versions and its active code.", async (r, c) =>
            {
                var details = await Find(c, r.GetValue(name)!);
                return await c.WriteAsync(details, d => d.Versions.Aggregate(new Table("VERSION", "ACTIVE", "FROM", "CREATED"), (t, v) =>
                    t.Add(v.Version, v.Id == d.ActiveVersion.Id ? "*" : string.Empty, v.SourceMutationId is not null ? "mutation" : v.SourceCandidateId is not null ? "candidate" : "registered", v.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture))));
            }, name),
            StoreCommand.Create("lineage", "Shows the active version's ancestors and descendants.", async (r, c) =>
            {
                var lineage = await c.Get<ISkillRegistry>().GetLineageAsync(c.Workspace, r.GetValue(name)!, cancellationToken: c.Cancellation);
                return await c.WriteAsync(lineage, l =>
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
                });
            }, name),
            StoreCommand.Create("rollback", "Makes an earlier version active again.", async (r, c) =>
            {
                var target = SemanticVersion.TryParse(r.GetValue(version), out var parsed) ? parsed : throw new ArgumentException($"'{r.GetValue(version)}' is not a version such as 1.0.0.");
                var skill = await c.Get<ISkillRegistry>().RollbackAsync(c.Workspace, r.GetValue(name)!, target, c.Cancellation);
                return await c.WriteAsync(new { skill.Name, Active = target.ToString() }, x => new Table("SKILL", "ACTIVE").Add(x.Name, x.Active));
            }, name, version),
            StoreCommand.Create("export", "Writes the skill as a package (zip) to the file.", async (r, c) =>
            {
                var target = r.GetValue(file)!;
                await using (var stream = target.Create())
                {
                    await c.Get<ISkillRegistry>().ExportAsync(c.Workspace, r.GetValue(name)!, stream, c.Cancellation);
                }

                return await c.WriteAsync(new { Skill = r.GetValue(name), File = target.FullName, Bytes = new FileInfo(target.FullName).Length }, x => new Table("SKILL", "FILE", "BYTES").Add(x.Skill, x.File, x.Bytes));
            }, name, file),
            StoreCommand.Create("import", "Imports a package: it is validated in the sandbox and waits for review like a learned skill.", async (r, c) =>
            {
                await Console.Error.WriteLineAsync($"validating {r.GetValue(file)!.Name} in the sandbox ...");
                await using var stream = r.GetValue(file)!.OpenRead();
                var candidate = await c.Get<ISkillRegistry>().ImportAsync(c.Workspace, stream, cancellationToken: c.Cancellation);
                return await c.WriteAsync(candidate, x => new Table("CANDIDATE", "SKILL", "STATUS", "REASON").Add(x.Id, x.Name, x.Status, x.FailureReason));
            }, file),
        };
    }

    public static Command Agents()
    {
        var agent = new Argument<string>("agent") { Description = "The agent's id." };
        return new Command("agents", "The workspace's agents: maturity and graduation readiness.")
        {
            StoreCommand.Create("list", "Lists the agents with their maturity and readiness.", async (_, c) =>
                await c.WriteAsync(await c.Get<IAgentProfileStore>().ListAsync(c.Workspace, c.Cancellation).Select(a => Summary(a)).ToListAsync(c.Cancellation),
                    list => list.Aggregate(new Table("AGENT", "MATURITY", "EPISODES", "READINESS", "MISSING"), (t, a) => t.Add(a.AgentId, a.Maturity, a.Episodes, $"{a.Readiness.Score:P0}", string.Join(", ", a.Readiness.Shortfalls))))),
            StoreCommand.Create("show", "Shows an agent.", async (r, c) =>
            {
                var profile = await c.Get<IAgentProfileStore>().FindAsync(c.Workspace, r.GetValue(agent)!, c.Cancellation)
                    ?? throw new EntityNotFoundException(nameof(AgentProfile), c.Workspace, r.GetValue(agent)!);
                return await c.WriteAsync(Summary(profile), a => new Table("FIELD", "VALUE").Add("agent", a.AgentId).Add("maturity", a.Maturity).Add("episodes", a.Episodes)
                    .Add("intervention rate", $"{a.InterventionRate:P0}").Add("next level", a.Readiness.Next).Add("readiness", $"{a.Readiness.Score:P0}").Add("missing", string.Join(", ", a.Readiness.Shortfalls)));
            }, agent),
        };
    }

    public static Command Usage() => StoreCommand.Create("usage", "Today's model tokens against the daily budget, and the daily limits.", async (_, c) =>
    {
        var settings = await c.Get<IWorkspaceStore>().GetSettingsAsync(c.Workspace, c.Cancellation);
        var tokens = await c.Get<TokenBudget>().GetAsync(c.Workspace, c.Cancellation);
        return await c.WriteAsync(
            new { TokensUsed = tokens.Used, TokenBudget = tokens.Budget, settings.MaxSkillCandidatesPerDay, settings.MaxMutationsPerDay },
            u => new Table("MEASURE", "VALUE").Add("tokens used today", u.TokensUsed).Add("daily token budget", u.TokenBudget)
                .Add("skill candidates per day, at most", u.MaxSkillCandidatesPerDay).Add("mutations per day, at most", u.MaxMutationsPerDay));
    });

    private static async Task<SkillDetails> Find(StoreCommand.Context c, string name) =>
        await c.Get<ISkillRegistry>().FindAsync(c.Workspace, name, c.Cancellation) ?? throw new EntityNotFoundException(nameof(Skill), c.Workspace, name);

    private static AgentRow Summary(AgentProfile a) => new(a.AgentId, a.Maturity, a.EpisodeCount, a.InterventionRate, GraduationReadiness.Evaluate(a));

    private sealed record AgentRow(string AgentId, AgentMaturity Maturity, int Episodes, double InterventionRate, GraduationReadiness Readiness);
}
