using System.Globalization;
using Gate.LoadTests.Measurement;

namespace Gate.LoadTests.Scenarios;

/// <summary>The progress line of a stream of calls.</summary>
internal static class RunProgress
{
    public static Func<string> Describe(RunRecorder recorder)
    {
        var lastCompleted = 0L;
        var lastAt = MonotonicClock.NowNs();
        return () =>
        {
            var now = MonotonicClock.NowNs();
            var completed = recorder.Completed;
            var rate = (completed - lastCompleted) / Math.Max(1e-9, (now - lastAt) / 1e9);
            lastCompleted = completed;
            lastAt = now;
            var p99 = recorder.Latency.ValueAtQuantile(0.99) / 1e6;
            return string.Create(CultureInfo.InvariantCulture,
                $"sent {recorder.Sent}  done {completed} ({rate:0}/s)  errors {recorder.Statuses.Errors}  in flight {recorder.InFlight}  p99 {p99:0.###} ms");
        };
    }
}
