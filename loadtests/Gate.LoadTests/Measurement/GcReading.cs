using System.Globalization;

namespace Gate.LoadTests.Measurement;

/// <summary>
/// A process's garbage-collector totals at one moment: bytes allocated, collections of each
/// generation and time paused since it started (the .NET runtime's own counters). A sidecar's
/// reading also carries Gate's latency histograms from the same export (<see cref="Latencies"/>,
/// whose rows are <see cref="OtlpHistogram.Rows"/>).
/// </summary>
internal readonly record struct GcReading(long TimeUnixNano, double AllocatedBytes, double Gen0, double Gen1, double Gen2, double PausedSeconds, IReadOnlyDictionary<string, OtlpHistogram>? Latencies = null)
{
    /// <summary>This driver's totals right now.</summary>
    public static GcReading OfThisProcess() => new(
        UnixNanoNow(),
        GC.GetTotalAllocatedBytes(precise: true), // exact: read twice a run, the cost does not matter
        GC.CollectionCount(0) - GC.CollectionCount(1), // CollectionCount(n) counts collections of generation n or higher
        GC.CollectionCount(1) - GC.CollectionCount(2),
        GC.CollectionCount(2),
        GC.GetTotalPauseDuration().TotalSeconds);

    public static long UnixNanoNow() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>
    /// Report rows for the time between two readings of one process: bytes allocated per call
    /// (the rate between the readings times the window's seconds per call, so readings taken a
    /// little inside the window still give the window's figure), and per second the time paused and
    /// the collections of each generation. Empty when the readings are not in order.
    /// </summary>
    public static IReadOnlyList<(string Name, double Value, string Unit)> Rows(string process, GcReading first, GcReading last, double windowSeconds, long calls)
    {
        var seconds = (last.TimeUnixNano - first.TimeUnixNano) / 1e9;
        if (seconds <= 0 || calls <= 0 || windowSeconds <= 0)
        {
            return [];
        }

        var allocatedPerCall = (last.AllocatedBytes - first.AllocatedBytes) / seconds * windowSeconds / calls;
        var pausedMsPerSecond = (last.PausedSeconds - first.PausedSeconds) * 1000 / seconds;
        var collections = string.Create(CultureInfo.InvariantCulture,
            $"ms/s; collections a second gen0 / gen1 / gen2 {(last.Gen0 - first.Gen0) / seconds:0.0} / {(last.Gen1 - first.Gen1) / seconds:0.0} / {(last.Gen2 - first.Gen2) / seconds:0.00}");
        return
        [
            ($"allocated per {{0}}: {process}", allocatedPerCall / 1024, "KB"),
            ($"garbage collection, time paused a second: {process}", pausedMsPerSecond, collections),
        ];
    }
}
