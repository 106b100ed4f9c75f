using System.CommandLine;
using Gate.LoadTests.Cli;

// SIGINT/SIGTERM cancel the run; the driver then stops the sidecars and redis-server it started
// (each gets SIGTERM and up to 10 s) before it exits, instead of leaving them running.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await LoadCommandLine.Build(Console.Out).Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
