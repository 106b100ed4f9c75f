using System.Globalization;
using System.Text;

namespace Gate.LoadTests.Reporting;

/// <summary>The human-readable summary committed under docs/perf/.</summary>
internal static class MarkdownReport
{
    public static string Render(ScenarioReport report, string? chartFileName)
    {
        var md = new StringBuilder();
        md.Append(Inv($"# {report.Title}\n\n"));
        md.Append(Inv($"- Result: **{(report.Passed ? "all checks passed" : "CHECKS FAILED")}**\n"));
        md.Append(Inv($"- Command: `{report.Command}`\n"));
        md.Append(Inv($"- Machine: {report.Machine}\n"));
        md.Append(Inv($"- Deployment: {report.Deployment}; the driver runs on the same machine\n"));
        md.Append(Inv($"- Run: {report.StartedAt:yyyy-MM-dd HH:mm} UTC, {report.WallSeconds:0} s wall time\n\n"));

        md.Append("## Parameters\n\n| parameter | value |\n|---|---|\n");
        foreach (var (name, value) in report.Parameters)
        {
            md.Append(Inv($"| {name} | {Cell(value)} |\n"));
        }

        if (report.Targets.Count > 0)
        {
            md.Append("\n## Targets\n\n| target | goal | measured | met |\n|---|---|---|---|\n");
            foreach (var t in report.Targets)
            {
                md.Append(Inv($"| {Cell(t.Name)} | {Cell(t.Goal)} | {Cell(t.Measured)} | {(t.Met ? "yes" : "**no**")} |\n"));
            }
        }

        if (report.Latencies.Count > 0)
        {
            md.Append("\n## Latency (ms)\n\n| measure | count | p50 | p90 | p99 | p99.9 | max | mean |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
            foreach (var l in report.Latencies)
            {
                var s = l.Summary;
                md.Append(Inv($"| {Cell(l.Name)} | {s.Count} | {F(s.P50Ms)} | {F(s.P90Ms)} | {F(s.P99Ms)} | {F(s.P999Ms)} | {F(s.MaxMs)} | {F(s.MeanMs)} |\n"));
            }

            md.Append('\n');
            foreach (var l in report.Latencies)
            {
                md.Append(Inv($"- *{l.Name}*: {l.Description}\n"));
            }
        }

        if (report.Figures.Count > 0)
        {
            md.Append("\n## Figures\n\n| figure | value |\n|---|---:|\n");
            foreach (var f in report.Figures)
            {
                md.Append(Inv($"| {Cell(f.Name)} | {Number(f.Value)} {f.Unit} |\n"));
            }
        }

        md.Append("\n## Outcomes by gRPC status\n\n");
        md.Append(report.Statuses.Count == 0 ? "(no calls)\n" : string.Join(", ", report.Statuses.Select(s => Inv($"{s.Key} {s.Value}"))) + "\n");
        foreach (var sample in report.ErrorSamples)
        {
            md.Append(Inv($"- `{sample.Replace("`", "'", StringComparison.Ordinal)}`\n"));
        }

        md.Append("\n## Checks\n\n| | check | detail |\n|---|---|---|\n");
        foreach (var c in report.Checks)
        {
            md.Append(Inv($"| {(c.Passed ? "pass" : "**FAIL**")} | {Cell(c.Name)} | {Cell(c.Detail)} |\n"));
        }

        if (chartFileName is not null)
        {
            md.Append(Inv($"\n## {report.SeriesTitle}\n\n![{report.SeriesTitle}]({chartFileName})\n"));
        }

        if (report.Notes.Count > 0)
        {
            md.Append("\n## Notes\n\n");
            foreach (var note in report.Notes)
            {
                md.Append(Inv($"- {note}\n"));
            }
        }

        return md.ToString();
    }

    private static string F(double ms) => ms.ToString(ms < 10 ? "0.000" : ms < 1000 ? "0.0" : "0", CultureInfo.InvariantCulture);

    private static string Number(double value) => Math.Abs(value - Math.Round(value)) < 1e-9
        ? value.ToString("#,0", CultureInfo.InvariantCulture)
        : value.ToString(Math.Abs(value) < 10 ? "#,0.###" : "#,0.#", CultureInfo.InvariantCulture);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
