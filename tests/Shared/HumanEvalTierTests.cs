using AutoDev.Testing;

namespace AutoDev.Tests;

/// <summary>All 164 HumanEval problems through one sandbox tier: every canonical solution passes its tests, and each solution with one deliberate bug fails them.</summary>
public abstract class HumanEvalTierTests : SandboxConformanceTests
{
    [Fact]
    public async Task HumanEval_CanonicalSolutions_AllSucceed()
    {
        Assert.Equal(164, HumanEval.Problems.Count);
        var results = await RunAllAsync(p => p.Program);

        var failures = results.Where(r => r.Result.Status != SandboxStatus.Succeeded).Select(Describe).ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task HumanEval_BuggySolutions_AllFailTheirTests()
    {
        var results = await RunAllAsync(p => p.BuggyProgram);

        var wrong = results.Where(r => r.Result.Status != SandboxStatus.Failed || r.Result.Error?.Type is not ("AssertionError" or "TypeError" or "ValueError" or "IndexError" or "KeyError" or "AttributeError"))
            .Select(Describe).ToList();
        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    private async Task<(HumanEvalProblem Problem, SandboxResult Result)[]> RunAllAsync(Func<HumanEvalProblem, string> program)
    {
        await RequireAvailableAsync();
        using var gate = new SemaphoreSlim(4);
        return await Task.WhenAll(HumanEval.Problems.Select(async problem =>
        {
            await gate.WaitAsync(TestContext.Current.CancellationToken);
            try
            {
                return (problem, await RunAsync(program(problem), timeoutSeconds: 30, tenant: "humaneval"));
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private static string Describe((HumanEvalProblem Problem, SandboxResult Result) r) =>
        $"{r.Problem.TaskId}: {r.Result.Status} {r.Result.Error?.Type}: {r.Result.Error?.Message}";
}
