using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(GateSidecar.Benchmarks.PolicyEvaluationBenchmarks).Assembly).Run(args);
