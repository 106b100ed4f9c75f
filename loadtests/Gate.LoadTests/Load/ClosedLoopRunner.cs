using Gate.Client;
using Gate.LoadTests.Measurement;

namespace Gate.LoadTests.Load;

/// <summary>
/// Saturation: <c>concurrency</c> workers each send the next call as soon as the previous one
/// answered. Gives the maximum throughput; its latencies are service times (a closed loop waits for
/// the server, so it cannot show queueing delay — use the open loop for latency targets).
/// </summary>
internal static class ClosedLoopRunner
{
    public static async Task RunAsync(
        int concurrency,
        TimeSpan warmup,
        TimeSpan duration,
        Func<long, Task> call,
        RunRecorder recorder,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentNullException.ThrowIfNull(call);
        var end = recorder.OriginNs + MonotonicClock.FromTimeSpan(warmup + duration);
        long next = -1;
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var start = MonotonicClock.NowNs();
                    if (start >= end)
                    {
                        return;
                    }

                    recorder.OnSent(start, start);
                    var code = StatusCode.OK;
                    string? detail = null;
                    try
                    {
                        await call(Interlocked.Increment(ref next)).ConfigureAwait(false);
                    }
                    catch (RpcException ex)
                    {
                        code = ex.Status;
                        detail = ex.Detail;
                    }
                    catch (Exception ex)
                    {
                        code = StatusCode.Unknown;
                        detail = $"{ex.GetType().Name}: {ex.Message}";
                    }

                    recorder.OnCompleted(start, MonotonicClock.NowNs(), code, detail);
                }
            }, CancellationToken.None);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }
}
