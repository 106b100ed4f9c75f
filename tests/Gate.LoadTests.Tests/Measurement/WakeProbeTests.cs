using Gate.LoadTests.Measurement;
using Gate.LoadTests.Reporting;

namespace Gate.LoadTests.Tests.Measurement;

public sealed class WakeProbeTests
{
    [Fact]
    public void Probe_RecordsEachWakeUpUntilDisposed()
    {
        var probe = WakeProbe.Start();
        Thread.Sleep(300);
        probe.Dispose();
        var count = probe.Lateness.Count;

        // 300 ms of 5 ms sleeps: some tens of wake-ups even on a slow machine, none negative.
        Assert.InRange(count, 5, 61);
        Assert.True(probe.Lateness.Min >= 0);
        Thread.Sleep(50);
        Assert.Equal(count, probe.Lateness.Count);
    }

    [Fact]
    public void Report_KeepsTheWakeUpRowLast()
    {
        var report = new ScenarioReport { Scenario = "sample", Title = "Sample", Deployment = "none" };
        var lateness = new LatencyHistogram();
        lateness.Record(150_000);
        report.Latency("first", "before the window", new LatencyHistogram());
        report.AddWindow(new WindowUsage([("CPU per {0}: driver", 12.5, "µs")], lateness));
        report.Latency("second", "after the window", new LatencyHistogram());

        Assert.Equal(["first", "second", ScenarioReport.WakeLatenessName], report.Latencies.Select(l => l.Name));
        Assert.Equal(0.15, report.Latencies[^1].Summary.P50Ms, 2);
        Assert.Contains(report.Figures, f => f.Name == "CPU per call: driver" && f.Value == 12.5);
    }
}
