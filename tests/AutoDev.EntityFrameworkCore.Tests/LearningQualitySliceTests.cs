using AutoDev.Benchmarks.LearningQuality;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests;

/// <summary>
/// The learning-quality benchmark's machinery on a slice: the first ten HumanEval problems of each labelled model,
/// through the real Memento loop on a SQLite file and the default sandbox, judged by HumanEval's check. The counts
/// are what these ten records give; a change in any of them means validation, the replay or the judge changed.
/// </summary>
public sealed class LearningQualitySliceTests
{
    [Theory]
    [InlineData("ldb-starcoder.jsonl.gz", 10, 8, 8, 7, "HumanEval/9")]
    [InlineData("ldb-gpt-3.5-turbo-0613.jsonl.gz", 8, 7, 7, 8, "")]
    public async Task TheFirstTenProblems_GiveTheirKnownCounts_UnderEachPolicy(string file, int runs, int ownTests, int heldOut, int right, string falsePromotions)
    {
        var problems = Replay.Problems();
        var pairs = Replay.Load(Replay.DataFile("llm-humaneval", file)).Take(10).Select(r => (problems[r.TaskId], r)).ToList();
        await using var tools = new ServiceCollection().AddAutoDev().Services.BuildServiceProvider();
        var sandbox = tools.GetRequiredService<ISandbox>();
        var prepared = await Replay.PrepareAsync(sandbox, pairs.Select(p => (p.Item1, p.r.GivenTests)), parallelism: 2);
        var database = Path.Combine(Path.GetTempPath(), $"autodev-slice-{Guid.NewGuid():N}.db");
        try
        {
            var (candidates, _) = await Replay.RunAsync(new ReplaySetup(database, _ => { }), pairs, prepared, samples: 1, parallelism: 2);
            var verdicts = await Replay.JudgeAllAsync(sandbox, pairs, candidates, parallelism: 2);

            Assert.Equal(10, candidates.Count);
            Assert.All(prepared.Values, p => Assert.Equal(Replay.HeldOutPerProblem, p.HeldOut.Count));
            Assert.Equal(
                (runs, ownTests, heldOut, right),
                (verdicts.Count(v => v.Runs), verdicts.Count(v => v.OwnTests), verdicts.Count(v => v.HeldOut), verdicts.Count(v => v.Right)));
            Assert.Equal(falsePromotions, string.Join(' ', verdicts.Where(v => v.HeldOut && !v.Right).Select(v => v.Problem.TaskId)));
            Assert.All(verdicts.Where(v => v.HeldOut), v => Assert.Equal(SkillCandidateStatus.Promoted, v.Candidate!.Status));
            Assert.All(verdicts.Where(v => !v.HeldOut), v => Assert.NotEqual(SkillCandidateStatus.Promoted, v.Candidate!.Status));
        }
        finally
        {
            Replay.DeleteDatabase(database);
        }
    }
}
