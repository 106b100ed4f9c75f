namespace Gate.LoadTests.Measurement;

/// <summary>CPU time per completed call over the measured window of a run.</summary>
internal sealed class CpuWindow
{
    private readonly CpuMeter _meter;
    private readonly Func<long> _completed;
    private readonly Task<(IReadOnlyDictionary<string, ProcessUsage> Usage, long Calls)> _start;

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

            return (_meter.Read(), _completed());
        });
    }

    /// <summary>Starts measuring at monotonic time <paramref name="startNs"/> (now if already past).</summary>
    public static CpuWindow Begin(CpuMeter meter, Func<long> completed, long startNs) => new(meter, completed, startNs);

    /// <summary>CPU and writes per call of each process since the window began.</summary>
    public async Task<IReadOnlyList<(string Name, double Value, string Unit)>> EndAsync()
    {
        var end = (_meter.Read(), _completed());
        var (usage, calls) = await _start.ConfigureAwait(false);
        return CpuMeter.PerCall(usage, end.Item1, end.Item2 - calls);
    }
}
