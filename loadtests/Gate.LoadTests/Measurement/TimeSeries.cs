namespace Gate.LoadTests.Measurement;

/// <summary>
/// Latency and outcomes per interval of the run (by each call's scheduled send time), for the chart
/// of latency over time. Covers warm-up too, so the chart shows how the run settled.
/// </summary>
internal sealed class TimeSeries
{
    private readonly Interval[] _intervals;
    private readonly long _originNs;

    public TimeSeries(long originNs, TimeSpan interval, TimeSpan span)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _originNs = originNs;
        IntervalNs = MonotonicClock.FromTimeSpan(interval);
        var count = (int)Math.Clamp((MonotonicClock.FromTimeSpan(span) / IntervalNs) + 2, 1, 100_000);
        _intervals = new Interval[count];
        for (var i = 0; i < count; i++)
        {
            _intervals[i] = new Interval();
        }
    }

    public long IntervalNs { get; }

    public void Record(long scheduledNs, long latencyNs, bool ok)
    {
        var slot = _intervals[Slot(scheduledNs)];
        if (ok)
        {
            slot.Latency.Record(latencyNs);
        }
        else
        {
            Interlocked.Increment(ref slot.Errors);
        }
    }

    /// <summary>The intervals from the first to the last one that saw a call.</summary>
    public IReadOnlyList<TimeSeriesPoint> Points()
    {
        var last = _intervals.Length - 1;
        while (last >= 0 && _intervals[last].Latency.Count == 0 && Volatile.Read(ref _intervals[last].Errors) == 0)
        {
            last--;
        }

        var seconds = IntervalNs / 1e9;
        var points = new List<TimeSeriesPoint>(last + 1);
        for (var i = 0; i <= last; i++)
        {
            var h = _intervals[i].Latency;
            points.Add(new TimeSeriesPoint(
                i * seconds,
                h.Count / seconds,
                Volatile.Read(ref _intervals[i].Errors) / seconds,
                h.ValueAtQuantile(0.50) / 1e6,
                h.ValueAtQuantile(0.99) / 1e6,
                h.Max / 1e6));
        }

        return points;
    }

    private int Slot(long ns)
    {
        var index = (ns - _originNs) / IntervalNs;
        return (int)Math.Clamp(index, 0, _intervals.Length - 1);
    }

    private sealed class Interval
    {
        public readonly LatencyHistogram Latency = new();
        public long Errors;
    }
}

/// <summary>One interval: its start (seconds into the run), rates per second and latencies in ms.</summary>
internal sealed record TimeSeriesPoint(double AtSeconds, double OkPerSecond, double ErrorsPerSecond, double P50Ms, double P99Ms, double MaxMs);
