namespace Gate.LoadTests.Reporting;

/// <summary>Writes a report as &lt;name&gt;.json, &lt;name&gt;.md and &lt;name&gt;.svg into a directory.</summary>
internal static class ReportWriter
{
    public static IReadOnlyList<string> Write(ScenarioReport report, string directory, string? name = null)
    {
        Directory.CreateDirectory(directory);
        name ??= report.Scenario;
        var svg = Path.Combine(directory, name + ".svg");
        var md = Path.Combine(directory, name + ".md");
        var json = Path.Combine(directory, name + ".json");
        var hasChart = report.Series.Count > 0;
        if (hasChart)
        {
            File.WriteAllText(svg, SvgChart.Render(report.SeriesTitle, report.Series, report.MeasureFromSeconds));
        }

        File.WriteAllText(md, MarkdownReport.Render(report, hasChart ? name + ".svg" : null));
        File.WriteAllText(json, JsonReport.Render(report));
        return hasChart ? [json, md, svg] : [json, md];
    }
}
