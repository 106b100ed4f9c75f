using Gate.Client;
using Gate.LoadTests.Measurement;

namespace Gate.LoadTests.Load;

/// <summary>
/// Sends calls at the due times of an <see cref="ArrivalSchedule"/> from one pacing thread, whatever
/// the server's answers (open loop). At most <c>maxInFlight</c> calls are outstanding: past that the
/// next send waits for a slot, and since latency counts from the due time the wait is in the figures.
/// </summary>
internal static class OpenLoopRunner
{
    public static async Task RunAsync(
        ArrivalSchedule schedule,
        Func<long, Task> call,
        int maxInFlight,
        RunRecorder recorder,
        TimeSpan drainTimeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(call);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        using var slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        var dispatched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Dispatch(schedule, call, slots, recorder, cancellationToken);
                dispatched.TrySetResult();
            }
            catch (Exception ex)
            {
                dispatched.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "gate-load pacer",
            Priority = ThreadPriority.AboveNormal,
        };
        thread.Start();
        await dispatched.Task.ConfigureAwait(false);

        var drainUntil = MonotonicClock.NowNs() + MonotonicClock.FromTimeSpan(drainTimeout);
        while (recorder.InFlight > 0 && MonotonicClock.NowNs() < drainUntil)
        {
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static void Dispatch(ArrivalSchedule schedule, Func<long, Task> call, SemaphoreSlim slots, RunRecorder recorder, CancellationToken cancellationToken)
    {
        Pacer.TuneCurrentThread();
        var origin = recorder.OriginNs;
        for (long i = 0; i < schedule.TotalCalls && !cancellationToken.IsCancellationRequested; i++)
        {
            var due = origin + schedule.OffsetNs(i);
            Pacer.WaitUntil(due, cancellationToken);
            if (!slots.Wait(0))
            {
                recorder.OnCapped();
                try
                {
                    slots.Wait(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            recorder.OnSent(due, MonotonicClock.NowNs());
            _ = ExecuteAsync(i, due, call, slots, recorder);
        }
    }

    private static async Task ExecuteAsync(long index, long due, Func<long, Task> call, SemaphoreSlim slots, RunRecorder recorder)
    {
        var code = StatusCode.OK;
        string? detail = null;
        try
        {
            await call(index).ConfigureAwait(false);
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

        recorder.OnCompleted(due, MonotonicClock.NowNs(), code, detail);
        slots.Release();
    }
}
