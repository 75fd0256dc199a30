using AutoDev.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/AutoDev.Benchmarks -- --filter '*'
// Each class has its own Baseline; the ratios in docs/benchmarks.md come from one run of all of them.
// dotnet run -c Release --project tests/AutoDev.Benchmarks -- humaneval-interleaved [rounds] [parallelism]
// runs HumanEval through (a) and each warm tier in interleaved rounds (see HumanEvalInterleaved).
if (args is [HumanEvalInterleaved.Command, ..])
{
    await HumanEvalInterleaved.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
