namespace Gate.LoadTests.Measurement;

/// <summary>
/// How late a sleeping thread wakes on this machine while the run loads it: a thread of the driver
/// at normal priority asks to sleep <see cref="Interval"/> again and again and records how much
/// longer each sleep took than asked. Idle, this host wakes it about 0.1–0.2 ms late; under load the
/// delay is what every hand-off between threads (socket reader, thread pool, SQLite writer, the
/// driver's own threads) may wait before the woken thread runs, so a report carries it beside its
/// latencies. It includes the driver's own garbage-collection pauses when one ends the sleep. Two
/// hundred wake-ups a second cost the driver a fraction of a percent of a core.
/// </summary>
internal sealed class WakeProbe : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);

    private readonly Thread _thread;
    private volatile bool _stop;

    private WakeProbe()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "gate-load wake probe" };
        _thread.UnsafeStart();
    }

    public LatencyHistogram Lateness { get; } = new();

    public static WakeProbe Start() => new();

    private void Run()
    {
        var asked = MonotonicClock.FromTimeSpan(Interval);
        while (!_stop)
        {
            var before = MonotonicClock.NowNs();
            Thread.Sleep(Interval);
            var late = MonotonicClock.NowNs() - before - asked;
            if (!_stop)
            {
                Lateness.Record(Math.Max(0, late));
            }
        }
    }

    /// <summary>Stops the thread; <see cref="Lateness"/> holds every wake-up recorded until now.</summary>
    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
