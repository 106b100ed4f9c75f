using Gate.Client;

namespace Gate.LoadTests.Measurement;

/// <summary>
/// Everything measured about one stream of calls: latency from each call's due time (measured window
/// only), how late sends went out, outcomes by status (every call, warm-up included, so a single
/// failure anywhere is seen), progress counters and the time series for the chart.
/// </summary>
internal sealed class RunRecorder
{
    private long _sent;
    private long _completed;
    private long _capped;

    public RunRecorder(long originNs, long measureFromNs, TimeSpan span, TimeSpan? interval = null)
    {
        OriginNs = originNs;
        MeasureFromNs = measureFromNs;
        Series = new TimeSeries(originNs, interval ?? TimeSpan.FromSeconds(1), span);
    }

    /// <summary>The run's time zero (monotonic ns).</summary>
    public long OriginNs { get; }

    /// <summary>Calls due at or after this offset from <see cref="OriginNs"/> are measured.</summary>
    public long MeasureFromNs { get; }

    /// <summary>Due time to completion, measured window only.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Actual send time minus due time: the driver's own pacing error (measured window).</summary>
    public LatencyHistogram ScheduleLag { get; } = new();

    /// <summary>Every completed call by status.</summary>
    public StatusCounts Statuses { get; } = new();

    public TimeSeries Series { get; }

    public long Sent => Volatile.Read(ref _sent);

    public long Completed => Volatile.Read(ref _completed);

    public long InFlight => Sent - Completed;

    /// <summary>Sends that waited for a free slot because the in-flight cap was reached.</summary>
    public long Capped => Volatile.Read(ref _capped);

    /// <summary>Completed calls inside the measured window.</summary>
    public long MeasuredCompleted => Latency.Count;

    public bool IsMeasured(long dueNs) => dueNs - OriginNs >= MeasureFromNs;

    public void OnCapped() => Interlocked.Increment(ref _capped);

    public void OnSent(long dueNs, long sentNs)
    {
        Interlocked.Increment(ref _sent);
        if (IsMeasured(dueNs))
        {
            ScheduleLag.Record(sentNs - dueNs);
        }
    }

    public void OnCompleted(long dueNs, long endNs, StatusCode code, string? detail)
    {
        if (code == StatusCode.OK)
        {
            Statuses.Record(code);
        }
        else
        {
            Statuses.RecordError(code, detail ?? string.Empty);
        }

        var latency = endNs - dueNs;
        Series.Record(dueNs, latency, code == StatusCode.OK);
        if (IsMeasured(dueNs) && code == StatusCode.OK)
        {
            Latency.Record(latency);
        }

        Interlocked.Increment(ref _completed);
    }
}
