using GateSidecar.Approvals;
using GateSidecar.Hosting;
using GateSidecar.Telemetry;

if (args.Length > 0 && args[0] == "healthcheck")
{
    return await HealthProbe.RunAsync(args);
}

var configuration = new ConfigurationBuilder().AddEnvironmentVariables("GATE_").Build();
var result = GateOptionsParser.Parse(args, configuration);
var telemetry = TelemetryOptionsReader.Read(Environment.GetEnvironmentVariable);
if (result.HelpRequested)
{
    Console.Out.Write(GateOptionsParser.Usage());
    return 0;
}

if (!result.IsValid || telemetry.Errors.Count > 0)
{
    foreach (var error in result.Errors.Concat(telemetry.Errors))
    {
        Console.Error.WriteLine($"gate: {error}");
    }

    Console.Error.WriteLine("gate: run with --help for the list of options");
    return 2;
}

var (app, errors) = GateApp.Build(result.Options with { Telemetry = telemetry.Options });
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
    try
    {
        await app.RunAsync();
    }
    catch (StoreRefusedException ex)
    {
        Console.Error.WriteLine($"gate: {ex.Message}");
        return 2;
    }
}

return 0;
