using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Gate.LoadTests.Measurement;

/// <summary>
/// How much this machine computes right now: the same fixed loop (120 million xorshift steps updating
/// a 1 MiB table, a quarter to half a second here) on one thread per core at once, in millions of
/// steps per second over all of them. On a shared or virtual machine the same build gives very
/// different figures as the host lends it more or less time, to any of its cores; a report that
/// carries this figure from before and after its run says which it had. The driver takes it while
/// nothing it started is running.
/// </summary>
internal static class HostProbe
{
    private const int Slices = 12;
    private const int StepsPerSlice = 10_000_000;
    private const int TableMask = (1 << 17) - 1; // 131,072 longs = 1 MiB
    private static long s_sink;

    /// <summary>Millions of loop steps per second, summed over one thread per core (higher is faster).</summary>
    public static double Measure()
    {
        var threads = new Thread[Environment.ProcessorCount];
        var rates = new double[threads.Length];
        for (var i = 0; i < threads.Length; i++)
        {
            var index = i;
            threads[i] = new Thread(() => rates[index] = MeasureOneThread()) { IsBackground = true, Name = "gate-load probe" };
            threads[i].UnsafeStart();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        return rates.Sum();
    }

    private static double MeasureOneThread()
    {
        var table = new long[TableMask + 1];
        var state = 0x9E3779B97F4A7C15UL;
        Run(table, ref state, StepsPerSlice / 10); // touch the table once before timing
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Slices; i++)
        {
            Run(table, ref state, StepsPerSlice);
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (double)Slices * StepsPerSlice / Math.Max(seconds, 1e-9) / 1e6;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Run(long[] table, ref ulong state, int steps)
    {
        var x = state;
        long sum = 0;
        for (var i = 0; i < steps; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            var slot = (int)(x & TableMask);
            table[slot] += (long)(x >> 32);
            sum += table[(slot + 1) & TableMask];
        }

        state = x;
        Interlocked.Add(ref s_sink, sum);
    }
}
