using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(GateSidecar.Benchmarks.CheckPath.CheckPathBenchmarks).Assembly).Run(args);
return 0;
