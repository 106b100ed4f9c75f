using System.Globalization;

namespace Gate.LoadTests.Reporting;

/// <summary>
/// The plain-text result of a scenario: a "scenario ..." line, then indented lines for each check,
/// latency and target (scripts/test shows exactly these lines).
/// </summary>
internal static class ConsoleSummary
{
    public static void Write(TextWriter output, ScenarioReport report)
    {
        output.WriteLine(Inv($"scenario {report.Scenario}: {(report.Passed ? "PASS" : "FAIL")} - {report.Title} ({report.WallSeconds:0} s)"));
        foreach (var check in report.Checks)
        {
            output.WriteLine(Inv($"  {(check.Passed ? "pass" : "FAIL")}  {check.Name}: {check.Detail}"));
        }

        foreach (var latency in report.Latencies)
        {
            var s = latency.Summary;
            output.WriteLine(Inv($"  {latency.Name}: n={s.Count} p50 {s.P50Ms:0.###} ms, p90 {s.P90Ms:0.###} ms, p99 {s.P99Ms:0.###} ms, p99.9 {s.P999Ms:0.###} ms, max {s.MaxMs:0.###} ms"));
        }

        foreach (var figure in report.Figures)
        {
            output.WriteLine(Inv($"  {figure.Name}: {figure.Value:0.##} {figure.Unit}"));
        }

        foreach (var target in report.Targets)
        {
            output.WriteLine(Inv($"  target {target.Name}: {target.Goal}; measured {target.Measured} -> {(target.Met ? "met" : "NOT met")}"));
        }

        foreach (var sample in report.ErrorSamples)
        {
            output.WriteLine(Inv($"  error sample: {sample}"));
        }
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
