using System.Diagnostics;

namespace Gate.LoadTests.Measurement;

/// <summary>
/// Stopwatch timestamps converted to nanoseconds. Every latency in the driver is the difference of
/// two such readings; wall-clock time is only used to compare with timestamps the server wrote.
/// </summary>
internal static class MonotonicClock
{
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    /// <summary>Now, in nanoseconds since an arbitrary origin.</summary>
    public static long NowNs() => ToNanoseconds(Stopwatch.GetTimestamp());

    public static long ToNanoseconds(long stopwatchTicks) =>
        Stopwatch.Frequency == 1_000_000_000 ? stopwatchTicks : (long)(stopwatchTicks * NanosecondsPerTick);

    public static long FromTimeSpan(TimeSpan span) => span.Ticks * 100;
}
