using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Reporting;
using Gate.LoadTests.Scenarios;

namespace Gate.LoadTests.Cli;

/// <summary>
/// <c>gate-load smoke</c>: the four scenarios at low rates on sidecars the driver starts (the
/// timeout scenario on each store) and the transport floor beside them, asserting correctness only (every call answered, every approval
/// terminal or escalated, nothing lost, no unexpected status). Each check is one test; the last line
/// is "N passed, M failed".
/// </summary>
internal static class SmokeRunner
{
    private static readonly ScenarioOptions Timeout = new() { BackgroundPending = 300, Rate = 40, Ramp = TimeSpan.FromMilliseconds(500), Warmup = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromSeconds(5) };

    public static readonly (string Scenario, ScenarioOptions Options)[] Plan =
    [
        ("fast-path", new ScenarioOptions { Rate = 300, Ramp = TimeSpan.FromSeconds(1), Warmup = TimeSpan.FromSeconds(2), Duration = TimeSpan.FromSeconds(6), TokenSampleEvery = 1 }),
        ("health-floor", new ScenarioOptions { Rate = 300, Ramp = TimeSpan.FromSeconds(1), Warmup = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromSeconds(3) }),
        ("approval", new ScenarioOptions { Agents = 40, Warmup = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromSeconds(8), TokenSampleEvery = 10 }),
        ("timeout", Timeout),
        ("timeout", Timeout with { Store = StoreKind.Redis }),
        ("mixed", new ScenarioOptions { Rate = 100, Ramp = TimeSpan.FromSeconds(1), Warmup = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromSeconds(8), ThinkMin = TimeSpan.FromMilliseconds(50), ThinkMax = TimeSpan.FromMilliseconds(300), TokenSampleEvery = 10 }),
    ];

    public static async Task<int> RunAsync(LaunchSettings launch, string? reportDirectory, TextWriter output, CancellationToken cancellationToken)
    {
        int passed = 0, failed = 0;
        var progress = ProgressDisplay.ForConsole();
        var noTargets = ((IReadOnlyList<Uri>)[], (IReadOnlyList<Uri>)[]);
        foreach (var (scenario, options) in Plan)
        {
            ScenarioReport report;
            try
            {
                report = await ScenarioCatalog.RunAsync(scenario, options, launch, noTargets, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                output.WriteLine($"scenario {scenario}: FAIL - could not run");
                output.WriteLine($"  FAIL  {scenario} ran to the end: {ex.GetType().Name}: {ex.Message}");
                failed++;
                continue;
            }

            report.Command = "gate-load smoke";

            // Targets are about full-rate runs (scripts/loadtest); at smoke rates they say nothing.
            report.Targets.Clear();
            ConsoleSummary.Write(output, report);
            if (reportDirectory is not null)
            {
                ReportWriter.Write(report, reportDirectory, "smoke-" + report.Scenario);
            }

            foreach (var check in report.Checks)
            {
                if (check.Passed)
                {
                    passed++;
                }
                else
                {
                    failed++;
                }
            }

            if (cancellationToken.IsCancellationRequested)
            {
                break; // the report above already failed "the run was not interrupted"
            }
        }

        output.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 && passed > 0 ? 0 : 1;
    }
}
