namespace Gate.LoadTests.Measurement;

/// <summary>
/// CPU time per completed call over the measured window of a run, and how late a sleeping thread
/// woke meanwhile (<see cref="WakeProbe"/>).
/// </summary>
internal sealed class CpuWindow
{
    private readonly CpuMeter _meter;
    private readonly Func<long> _completed;
    private readonly Task<(IReadOnlyDictionary<string, ProcessUsage> Usage, long Calls, WakeProbe Probe)> _start;

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

            return (_meter.Read(), _completed(), WakeProbe.Start());
        });
    }

    /// <summary>Starts measuring at monotonic time <paramref name="startNs"/> (now if already past).</summary>
    public static CpuWindow Begin(CpuMeter meter, Func<long> completed, long startNs) => new(meter, completed, startNs);

    /// <summary>CPU and writes per call of each process since the window began, and the wake-up lateness.</summary>
    public async Task<WindowUsage> EndAsync()
    {
        var end = (_meter.Read(), _completed());
        var (usage, calls, probe) = await _start.ConfigureAwait(false);
        probe.Dispose();
        return new WindowUsage(CpuMeter.PerCall(usage, end.Item1, end.Item2 - calls), probe.Lateness);
    }
}

/// <summary>What <see cref="CpuWindow"/> measured: per-call figures of each process and the wake-up lateness.</summary>
internal sealed record WindowUsage(IReadOnlyList<(string Name, double Value, string Unit)> PerCall, LatencyHistogram WakeLateness);
