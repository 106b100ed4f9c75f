using System.Text.Json;
using System.Xml.Linq;
using Gate.LoadTests.Measurement;
using Gate.LoadTests.Reporting;

namespace Gate.LoadTests.Tests.Reporting;

public sealed class ReportWriterTests
{
    [Fact]
    public void Write_ProducesJsonMarkdownAndWellFormedSvg()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gate-load-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var report = Sample();
            var files = ReportWriter.Write(report, directory);

            Assert.Equal(3, files.Count);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "sample.json")));
            Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
            Assert.Equal(0.25, json.RootElement.GetProperty("latencies_ms")[0].GetProperty("p50").GetDouble(), 2);
            var svg = XDocument.Parse(File.ReadAllText(Path.Combine(directory, "sample.svg")));
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            Assert.Contains(svg.Descendants(), e => e.Name.LocalName == "path");
            var markdown = File.ReadAllText(Path.Combine(directory, "sample.md"));
            Assert.Contains("CHECKS FAILED", markdown);
            Assert.Contains("| **FAIL** | nothing lost | 1 lost |", markdown);
            Assert.Contains("![", markdown);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public void SvgChart_NoPoints_IsStillWellFormed()
    {
        var svg = XDocument.Parse(SvgChart.Render("empty <run> & more", [], 0));

        Assert.Contains("no data", svg.ToString());
    }

    private static ScenarioReport Sample()
    {
        var histogram = new LatencyHistogram();
        var series = new TimeSeries(0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        for (var i = 0; i < 1000; i++)
        {
            histogram.Record(250_000);
            series.Record(i * 10_000_000L, 250_000 + (i * 1000), ok: i % 100 != 0);
        }

        var report = new ScenarioReport { Scenario = "sample", Title = "Sample | run", Deployment = "none" };
        report.Parameter("rate", "100 calls/s");
        report.Latency("Check latency", "due time to answer", histogram);
        report.Check("every call answered OK", true, "1000 of 1000");
        report.Check("nothing lost", false, "1 lost");
        report.Series = series.Points();
        report.MeasureFromSeconds = 2;
        return report;
    }
}
