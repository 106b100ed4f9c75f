using Gate.LoadTests.Measurement;
using Gate.LoadTests.Reporting;

namespace Gate.LoadTests.Tests.Measurement;

public sealed class HostProbeTests
{
    [Fact]
    public void Measure_GivesAPositiveFiniteRate()
    {
        var rate = HostProbe.Measure();

        Assert.True(double.IsFinite(rate) && rate > 0, $"probe gave {rate}");
    }

    [Fact]
    public void AddHostProbe_WritesBothFiguresIntoEveryFormat()
    {
        var report = new ScenarioReport { Scenario = "probe", Title = "probe", Deployment = "none" };

        report.AddHostProbe(412.5, 198.5);

        var markdown = MarkdownReport.Render(report, chartFileName: null);
        Assert.Contains("| host speed probe before the run (all cores, higher is faster) | 412.5 M steps/s |", markdown);
        Assert.Contains("| host speed probe after the run | 198.5 M steps/s |", markdown);
        var json = JsonReport.Render(report);
        Assert.Contains("\"name\": \"host speed probe after the run\"", json);
        Assert.Contains("\"value\": 198.5", json);
        var console = new StringWriter();
        ConsoleSummary.Write(console, report);
        Assert.Contains("host speed probe before the run (all cores, higher is faster): 412.5 M steps/s", console.ToString());
    }
}
