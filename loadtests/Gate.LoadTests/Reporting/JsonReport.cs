using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gate.LoadTests.Reporting;

/// <summary>The machine-readable report: every figure, check and point of the chart.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Render(ScenarioReport report) => JsonSerializer.Serialize(new
    {
        report.Scenario,
        report.Title,
        report.Passed,
        report.Command,
        Machine = report.Machine.ToString(),
        report.Deployment,
        report.StartedAt,
        WallSeconds = Math.Round(report.WallSeconds, 2),
        Parameters = report.Parameters.ToDictionary(p => p.Key, p => p.Value),
        Targets = report.Targets,
        Figures = report.Figures.Select(f => new { f.Name, Value = Math.Round(f.Value, 3), f.Unit }),
        Latencies_ms = report.Latencies.Select(l => new
        {
            l.Name,
            l.Description,
            l.Summary.Count,
            Min = R(l.Summary.MinMs),
            Mean = R(l.Summary.MeanMs),
            P50 = R(l.Summary.P50Ms),
            P90 = R(l.Summary.P90Ms),
            P99 = R(l.Summary.P99Ms),
            P999 = R(l.Summary.P999Ms),
            Max = R(l.Summary.MaxMs),
        }),
        report.Statuses,
        report.ErrorSamples,
        report.Checks,
        report.Notes,
        Series = new
        {
            Title = report.SeriesTitle,
            report.MeasureFromSeconds,
            Points = report.Series.Select(p => new { p.AtSeconds, OkPerSecond = R(p.OkPerSecond), ErrorsPerSecond = R(p.ErrorsPerSecond), P50Ms = R(p.P50Ms), P99Ms = R(p.P99Ms), MaxMs = R(p.MaxMs) }),
        },
    }, Options);

    private static double R(double value) => Math.Round(value, 4);
}
