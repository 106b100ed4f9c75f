using GateSidecar.Hosting;

var configuration = new ConfigurationBuilder().AddEnvironmentVariables("GATE_").Build();
var result = GateOptionsParser.Parse(args, configuration);
if (result.HelpRequested)
{
    Console.Out.Write(GateOptionsParser.Usage());
    return 0;
}

if (!result.IsValid)
{
    foreach (var error in result.Errors)
    {
        Console.Error.WriteLine($"gate: {error}");
    }

    Console.Error.WriteLine("gate: run with --help for the list of options");
    return 2;
}

await using var app = GateHost.Build(result.Options);
await app.RunAsync();
return 0;
