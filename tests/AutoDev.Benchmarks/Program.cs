using AutoDev.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/AutoDev.Benchmarks -- --filter '*'
// Each class has its own Baseline; the ratios in docs/benchmarks.md come from one run of all of them.
// dotnet run -c Release --project tests/AutoDev.Benchmarks -- humaneval-interleaved [rounds] [parallelism]
// runs HumanEval through (a) and each warm tier in interleaved rounds (see HumanEvalInterleaved).
// dotnet run -c Release --project tests/AutoDev.Benchmarks -- cleanup-cost [calls]
// times the warm fork servers' per-execution clean-up inside each warm tier (see CleanupCost).
if (args is [HumanEvalInterleaved.Command, ..])
{
    await HumanEvalInterleaved.RunAsync(args);
    return;
}

if (args is [CleanupCost.Command, ..])
{
    await CleanupCost.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
