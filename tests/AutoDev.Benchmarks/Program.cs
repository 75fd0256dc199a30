using AutoDev.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/AutoDev.Benchmarks -- --filter '*'
// Each class has its own Baseline; the ratios in docs/benchmarks.md come from one run of all of them.
// dotnet run -c Release --project tests/AutoDev.Benchmarks -- humaneval-interleaved [rounds] [parallelism]
// runs HumanEval through (a) and each warm tier in interleaved rounds (see HumanEvalInterleaved).
// dotnet run -c Release --project tests/AutoDev.Benchmarks -- cleanup-cost [calls]
// times the warm fork servers' per-execution clean-up inside each warm tier (see CleanupCost).
// dotnet run -c Release --project tests/AutoDev.Benchmarks -- learning-quality <file.jsonl.gz> [--problems N]
// replays real model answers to HumanEval through Memento-Skills and AlphaEvolver's checks (see LearningQuality/).
// dotnet run -c Release --project tests/AutoDev.Benchmarks -- dashboard-speed [--candidates N] [--requests R]
// times the API and dashboard over PostgreSQL with 100,000 candidates and 10,000 skill versions (see DashboardSpeed).
if (args is [HumanEvalInterleaved.Command, ..])
{
    await HumanEvalInterleaved.RunAsync(args);
    return;
}

if (args is [AutoDev.Benchmarks.LearningQuality.LearningQualityCommand.Command, ..])
{
    await AutoDev.Benchmarks.LearningQuality.LearningQualityCommand.RunAsync(args);
    return;
}

if (args is [DashboardSpeed.Command, ..])
{
    await DashboardSpeed.RunAsync(args);
    return;
}

if (args is [CleanupCost.Command, ..])
{
    await CleanupCost.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
