namespace Gate.LoadTests.Load;

/// <summary>
/// When each call of an open-loop run is due: the arrival rate rises linearly from zero to
/// <see cref="Rate"/> over the ramp, then stays constant through warm-up and the measured window.
/// Calls are sent at these times whatever the server does (no coordinated omission), and each call's
/// latency is counted from its due time.
/// </summary>
internal sealed class ArrivalSchedule
{
    private readonly double _rampSeconds;
    private readonly double _rampCalls;

    public ArrivalSchedule(double rate, TimeSpan ramp, TimeSpan warmup, TimeSpan duration)
    {
        if (!(rate > 0) || double.IsInfinity(rate))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "the arrival rate must be a positive number of calls per second");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ramp, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(warmup, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        Rate = rate;
        Ramp = ramp;
        Warmup = warmup;
        Duration = duration;
        _rampSeconds = ramp.TotalSeconds;
        _rampCalls = rate * _rampSeconds / 2;
        TotalCalls = (long)Math.Floor(_rampCalls + (rate * (warmup + duration).TotalSeconds));
    }

    /// <summary>Calls per second once the ramp is over.</summary>
    public double Rate { get; }

    public TimeSpan Ramp { get; }

    public TimeSpan Warmup { get; }

    public TimeSpan Duration { get; }

    /// <summary>Every call of the run, ramp and warm-up included.</summary>
    public long TotalCalls { get; }

    /// <summary>Calls due from here on are measured.</summary>
    public long MeasureFromNs => (Ramp + Warmup).Ticks * 100;

    /// <summary>When the last call is due.</summary>
    public long EndNs => (Ramp + Warmup + Duration).Ticks * 100;

    /// <summary>The due time of call <paramref name="index"/> (0-based), in ns from the start of the run.</summary>
    public long OffsetNs(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        double seconds;
        if (index < _rampCalls)
        {
            // N(t) = rate·t²/(2·ramp) during the ramp, so t = sqrt(2·ramp·n/rate).
            seconds = Math.Sqrt(2 * _rampSeconds * index / Rate);
        }
        else
        {
            seconds = _rampSeconds + ((index - _rampCalls) / Rate);
        }

        return (long)(seconds * 1e9);
    }
}
