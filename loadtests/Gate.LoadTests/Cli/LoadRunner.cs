using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Measurement;
using Gate.LoadTests.Reporting;
using Gate.LoadTests.Scenarios;

namespace Gate.LoadTests.Cli;

/// <summary><c>gate-load run</c>: validates the options, runs the scenario, prints and writes its reports.</summary>
internal static class LoadRunner
{
    public static async Task<int> RunAsync(
        string scenario,
        ScenarioOptions options,
        LaunchSettings launch,
        (IReadOnlyList<Uri> Grpc, IReadOnlyList<Uri> Http) targets,
        string? reportDirectory,
        string? reportName,
        string command,
        TextWriter output,
        CancellationToken cancellationToken)
    {
        var errors = Validate(options, launch);
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                Console.Error.WriteLine("gate-load: " + error);
            }

            return 2;
        }

        if ((options.Mode == "closed" || scenario == "create-rate") && !System.Runtime.GCSettings.IsServerGC)
        {
            // Closed loop measures the most calls a second the sidecar serves; with the workstation
            // collector (DOTNET_gcServer=0 given to the driver) its own collections take a fifth of
            // the machine here and cap it.
            Console.Error.WriteLine("gate-load: note: closed loop with the driver on the workstation garbage collector; run it without DOTNET_gcServer=0 for the sidecar's maximum (the report names the driver's collector)");
        }

        ScenarioReport report;
        var probeBefore = HostProbe.Measure();
        try
        {
            report = await ScenarioCatalog.RunAsync(scenario, options, launch, targets, ProgressDisplay.ForConsole(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException or ArgumentException or HttpRequestException)
        {
            Console.Error.WriteLine($"gate-load: {scenario} could not run: {ex.Message}");
            return 2;
        }

        report.Command = command;
        report.AddHostProbe(probeBefore, HostProbe.Measure());
        ConsoleSummary.Write(output, report);
        if (reportDirectory is not null)
        {
            foreach (var file in ReportWriter.Write(report, reportDirectory, reportName))
            {
                output.WriteLine("  report: " + file);
            }
        }

        return report.Passed ? 0 : 1;
    }

    /// <summary>Every problem with the options, each saying what to change.</summary>
    public static List<string> Validate(ScenarioOptions options, LaunchSettings launch)
    {
        var errors = new List<string>();
        if (!(options.Rate > 0))
        {
            errors.Add($"--rate must be a positive number of calls per second (got {options.Rate})");
        }

        if (options.Duration <= TimeSpan.Zero)
        {
            errors.Add("--duration must be longer than zero, e.g. --duration 30s");
        }

        if (options.Mode is not ("open" or "closed"))
        {
            errors.Add($"--mode must be open or closed (got '{options.Mode}')");
        }

        if (options.MaxInFlight < 1 || options.Concurrency < 1 || options.Agents < 1 || options.Samples < 1 || options.TokenSampleEvery < 1)
        {
            errors.Add("--max-in-flight, --concurrency, --agents, --samples and --token-sample must be at least 1");
        }

        if (options.BackgroundPending < 0)
        {
            errors.Add("--background-pending must not be negative");
        }

        if (options.ThinkMin > options.ThinkMax)
        {
            errors.Add("--think-min must not be longer than --think-max");
        }

        if (launch.Connections < 1)
        {
            errors.Add("--connections must be at least 1");
        }

        if (launch.RedisAppendFsync is not ("everysec" or "always" or "no"))
        {
            errors.Add($"--redis-appendfsync must be everysec, always or no (got '{launch.RedisAppendFsync}')");
        }

        if (launch.RedisAofRewriteMinSize is { } size && !System.Text.RegularExpressions.Regex.IsMatch(size, "^[1-9][0-9]*(kb|mb|gb)?$", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
        {
            errors.Add($"--redis-aof-rewrite-min-size needs a size such as 64mb or 4gb (got '{size}')");
        }

        foreach (var entry in launch.SidecarEnv)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || entry.AsSpan(0, equals).ContainsAny(' ', '\t'))
            {
                errors.Add($"--sidecar-env needs NAME=VALUE (got '{entry}')");
            }
        }

        if (launch.SqliteSync is not ("full" or "normal"))
        {
            errors.Add($"--sqlite-sync must be full or normal (got '{launch.SqliteSync}')");
        }

        return errors;
    }
}
