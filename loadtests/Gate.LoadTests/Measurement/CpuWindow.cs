namespace Gate.LoadTests.Measurement;

/// <summary>
/// CPU time per completed call over the measured window of a run, the garbage collector's work in
/// the driver and the sidecars (<see cref="GcReading"/>), and how late a sleeping thread woke
/// meanwhile (<see cref="WakeProbe"/>).
/// </summary>
internal sealed class CpuWindow
{
    private readonly CpuMeter _meter;
    private readonly Func<long> _completed;
    private readonly Task<(IReadOnlyDictionary<string, ProcessUsage> Usage, long Calls, GcReading Gc, WakeProbe Probe)> _start;

    private CpuWindow(CpuMeter meter, Func<long> completed, long startNs)
    {
        _meter = meter;
        _completed = completed;
        _start = Task.Run(async () =>
        {
            var wait = (startNs - MonotonicClock.NowNs()) / 1_000_000;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait)).ConfigureAwait(false);
            }

            return (_meter.Read(), _completed(), GcReading.OfThisProcess(), WakeProbe.Start());
        });
    }

    /// <summary>Starts measuring at monotonic time <paramref name="startNs"/> (now if already past).</summary>
    public static CpuWindow Begin(CpuMeter meter, Func<long> completed, long startNs) => new(meter, completed, startNs);

    /// <summary>CPU, writes and allocations per call of each process since the window began, and the wake-up lateness.</summary>
    public async Task<WindowUsage> EndAsync()
    {
        var end = (Usage: _meter.Read(), Calls: _completed(), Gc: GcReading.OfThisProcess());
        var (usage, calls, gc, probe) = await _start.ConfigureAwait(false);
        probe.Dispose();
        var windowCalls = end.Calls - calls;
        var windowSeconds = (end.Gc.TimeUnixNano - gc.TimeUnixNano) / 1e9;
        List<(string Name, double Value, string Unit)> rows = [.. CpuMeter.PerCall(usage, end.Usage, windowCalls)];
        rows.AddRange(GcReading.Rows("driver", gc, end.Gc, windowSeconds, windowCalls));
        if (_meter.GcSink is { } sink)
        {
            // The sidecars' readings taken inside the window (one a second): the first and the last.
            foreach (var name in sink.Sources)
            {
                var readings = sink.Readings(name, gc.TimeUnixNano, end.Gc.TimeUnixNano);
                if (readings.Count >= 2)
                {
                    rows.AddRange(GcReading.Rows(name, readings[0], readings[^1], windowSeconds, windowCalls));
                    rows.AddRange(OtlpHistogram.Rows(name, readings[0], readings[^1]));
                }
            }
        }

        return new WindowUsage(rows, probe.Lateness);
    }
}

/// <summary>What <see cref="CpuWindow"/> measured: per-call figures of each process and the wake-up lateness.</summary>
internal sealed record WindowUsage(IReadOnlyList<(string Name, double Value, string Unit)> PerCall, LatencyHistogram WakeLateness);
