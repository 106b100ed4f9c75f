using System.Runtime.InteropServices;
using Gate.LoadTests.Measurement;

namespace Gate.LoadTests.Load;

/// <summary>
/// Waits until a monotonic instant with sub-millisecond precision and without spinning a core:
/// on Linux the calling thread's timer slack is set to 1 µs (prctl) and it sleeps with usleep;
/// elsewhere it falls back to Thread.Sleep (about 1 ms granularity). How late each send really went
/// out is measured separately (the schedule lag), so the precision is visible in every report.
/// </summary>
internal static partial class Pacer
{
    private const int PrSetTimerSlack = 29;
    private static readonly bool Linux = OperatingSystem.IsLinux();

    /// <summary>Call once on the thread that paces.</summary>
    public static void TuneCurrentThread()
    {
        if (Linux)
        {
            _ = prctl(PrSetTimerSlack, 1, 0, 0, 0);
        }
    }

    public static void WaitUntil(long targetNs, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var remaining = targetNs - MonotonicClock.NowNs();
            if (remaining <= 0)
            {
                return;
            }

            if (remaining > 20_000_000)
            {
                Thread.Sleep(10);
            }
            else if (Linux)
            {
                _ = usleep((uint)Math.Max(1, remaining / 1000));
            }
            else
            {
                Thread.Sleep(remaining > 1_000_000 ? 1 : 0);
            }
        }
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int usleep(uint microseconds);

    [LibraryImport("libc", SetLastError = false)]
    private static partial int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
