using Gate.LoadTests.Cli;

return await LoadCommandLine.Build(Console.Out).Parse(args).InvokeAsync().ConfigureAwait(false);
