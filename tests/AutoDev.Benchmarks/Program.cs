using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/AutoDev.Benchmarks -- --filter '*'
// Each class has its own Baseline; the ratios in docs/benchmarks.md come from one run of all of them.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
