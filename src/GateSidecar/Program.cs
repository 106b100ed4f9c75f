using GateSidecar.Hosting;

if (args.Length > 0 && args[0] == "healthcheck")
{
    return await HealthProbe.RunAsync(args);
}

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

var (app, errors) = GateApp.Build(result.Options);
if (app is null)
{
    foreach (var error in errors)
    {
        Console.Error.WriteLine($"gate: {error}");
    }

    return 2;
}

await using (app)
{
    await app.RunAsync();
}

return 0;
