using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvals;

/// <summary>
/// Applies due deadlines. It sleeps until the store's next deadline (or a change that brings an
/// earlier one, or at most <see cref="MaxSleep"/> so deadlines created by other sidecars are seen),
/// then starts a timeout (<see cref="ApprovalService.ApplyTimeoutAsync"/>) for every due approval
/// that has none running, and plans its next wake without waiting for them: a deadline that falls
/// due while earlier timeouts are still being written is started at once rather than after the
/// slowest of them. A change that leaves an approval open wakes it only when the change's deadline
/// is earlier than the planned wake or the change does not carry its deadline (<see cref="Wakes"/>).
/// Exactly once across sidecars comes from compare-and-set: a timeout that loses the race re-reads
/// and finds nothing due. Deadlines that passed while every sidecar was down are applied on the
/// first pass.
/// </summary>
internal sealed partial class DeadlineScheduler(ApprovalService approvals, ChangeFeed feed, TimeProvider time, ILogger<DeadlineScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How soon an approval listed due whose timeout changed nothing is tried again (its record does
    /// not show it due, or other writers won every race); also the longest sleep while timeouts run.
    /// </summary>
    internal static readonly TimeSpan StuckRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>How many due approvals a pass lists beyond those whose timeouts are already known to it.</summary>
    private const int Batch = 256;

    /// <summary>Timeouts running at once; their writes share the store's group commits or pipelined batches.</summary>
    private const int MaxRunning = 256;

    /// <summary>
    /// A retry this close is taken now: a timer may fire a little before the millisecond the
    /// clock shows, and waiting for the rest would cost a pass of its own.
    /// </summary>
    private const long RetrySlackMs = 2;

    /// <summary>Tries of one approval that changed nothing before warning 2103.</summary>
    private const int MissesBeforeWarning = 3;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Timeout> _timeouts = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(MaxRunning, MaxRunning);
    private long _passes;
    private long _lastErrorLogMs;

    private enum Outcome
    {
        Running,
        Applied,
        Retry,
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = feed.ListenAll();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    Interlocked.Increment(ref _passes);
                    var wait = await PassAsync(stoppingToken).ConfigureAwait(false);
                    if (wait > TimeSpan.Zero)
                    {
                        await WaitForChangeOrDelayAsync(listener, wait, (time.GetUtcNow() + wait).ToUnixTimeMilliseconds(), stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (StoreUnavailableException ex)
                {
                    LogStoreDown(logger, ex.Message);
                    await Task.Delay(MaxSleep, time, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    LogFailed(logger, ex);
                    await Task.Delay(MaxSleep, time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // The store is disposed after the host stops: let the timeouts still writing finish
            // first. Each holds a slot until it ends, so holding every slot means none runs.
            for (var i = 0; i < MaxRunning; i++)
            {
                await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One pass: forget the timeouts that finished, list what is due, start a timeout for each that
    /// has none running, and return how long to sleep (zero: pass again at once).
    /// </summary>
    private async Task<TimeSpan> PassAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        int known;
        HashSet<string>? skip = null;
        lock (_lock)
        {
            // A timeout that applied wrote before this pass reads, so the listing below no longer
            // shows it. One that finishes during the read stays known until the next pass, so a
            // listing read before its write cannot start it twice.
            foreach (var (id, timeout) in _timeouts)
            {
                if (timeout.Outcome == Outcome.Applied)
                {
                    _timeouts.Remove(id);
                }
                else if (!timeout.CanStart(nowMs))
                {
                    // Not started by this pass: the listing need not carry its record.
                    (skip ??= new HashSet<string>(StringComparer.Ordinal)).Add(id);
                }
            }

            known = _timeouts.Count;
        }

        var max = known + Batch;
        var due = await approvals.Store.GetDueAsync(now, max, skip, cancellationToken).ConfigureAwait(false);
        var started = 0;
        foreach (var (id, record) in due)
        {
            var timeout = Claim(id, nowMs);
            if (timeout is null)
            {
                continue;
            }

            try
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Release(id, timeout);
                throw;
            }

            _ = RunAsync(id, record, timeout, nowMs, cancellationToken);
            started++;
        }

        var complete = due.Count < max;
        long? retryAtMs = null;
        var running = false;
        lock (_lock)
        {
            HashSet<string>? listed = complete ? [.. due.Select(d => d.Id)] : null;
            foreach (var (id, timeout) in _timeouts)
            {
                if (timeout.Outcome == Outcome.Running)
                {
                    running = true;
                }
                else if (timeout.Outcome == Outcome.Retry)
                {
                    // The whole due list was read and this one is not on it any more: nothing to retry.
                    if (listed is not null && timeout.RetryAtMs <= nowMs && !listed.Contains(id))
                    {
                        _timeouts.Remove(id);
                    }
                    else if (retryAtMs is null || timeout.RetryAtMs < retryAtMs)
                    {
                        retryAtMs = timeout.RetryAtMs;
                    }
                }
            }
        }

        if (!complete && started > 0)
        {
            // More are due than were listed: list again at once.
            return TimeSpan.Zero;
        }

        // Everything due now is running or waiting for its retry: sleep until the first deadline
        // after now, a retry, or (while timeouts run, so that one that changed nothing is retried
        // on time) StuckRetry.
        var next = await approvals.Store.GetNextDeadlineAsync(now, cancellationToken).ConfigureAwait(false);
        var after = time.GetUtcNow();
        var wait = next is null ? MaxSleep : next.Value - after;
        if (retryAtMs is { } retry)
        {
            var untilRetry = DateTimeOffset.FromUnixTimeMilliseconds(retry) - after;
            if (untilRetry < wait)
            {
                wait = untilRetry;
            }
        }

        if (running && wait > StuckRetry)
        {
            wait = StuckRetry;
        }

        if (wait > MaxSleep)
        {
            wait = MaxSleep;
        }

        // Deadlines are whole milliseconds and a timer of less than one fires at once: a deadline
        // under a millisecond away would otherwise cost a few passes that find nothing due yet.
        if (wait > TimeSpan.Zero && wait < TimeSpan.FromMilliseconds(1))
        {
            wait = TimeSpan.FromMilliseconds(1);
        }

        return wait;
    }

    /// <summary>The timeout to start for <paramref name="id"/>, or null while one runs or waits for its retry.</summary>
    private Timeout? Claim(string id, long nowMs)
    {
        lock (_lock)
        {
            if (_timeouts.TryGetValue(id, out var known))
            {
                if (!known.CanStart(nowMs))
                {
                    return null;
                }

                known.Outcome = Outcome.Running;
                return known;
            }

            var timeout = new Timeout();
            _timeouts.Add(id, timeout);
            return timeout;
        }
    }

    private void Release(string id, Timeout timeout)
    {
        lock (_lock)
        {
            if (timeout.Misses == 0)
            {
                _timeouts.Remove(id);
            }
            else
            {
                timeout.Outcome = Outcome.Retry;
            }
        }
    }

    private async Task RunAsync(string id, Stored.StoredApproval? record, Timeout timeout, long passMs, CancellationToken cancellationToken)
    {
        // Off the loop's thread at once: the loop goes on starting the others.
        await Task.Yield();
        var outcome = Outcome.Retry;
        var retry = StuckRetry;
        try
        {
            if (await approvals.ApplyTimeoutAsync(id, record, cancellationToken).ConfigureAwait(false))
            {
                outcome = Outcome.Applied;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            retry = MaxSleep;
            LogErrorAtMostOnceASecond(ex);
        }
        finally
        {
            _slots.Release();
        }

        var misses = 0;
        lock (_lock)
        {
            timeout.Outcome = outcome;
            if (outcome == Outcome.Retry)
            {
                // Counted from the pass that started it, so the pass that wakes StuckRetry after that
                // one finds it due (counted from when this ran, a slow start would cost a second
                // pass a millisecond later).
                timeout.RetryAtMs = passMs + (long)retry.TotalMilliseconds;
                misses = ++timeout.Misses;
            }
        }

        if (misses == MissesBeforeWarning && retry == StuckRetry)
        {
            LogStuck(logger, id);
        }
    }

    private void LogErrorAtMostOnceASecond(Exception ex)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var last = Interlocked.Read(ref _lastErrorLogMs);
        if (nowMs - last < MaxSleep.TotalMilliseconds || Interlocked.CompareExchange(ref _lastErrorLogMs, nowMs, last) != last)
        {
            return;
        }

        if (ex is StoreUnavailableException)
        {
            LogStoreDown(logger, ex.Message);
        }
        else
        {
            LogFailed(logger, ex);
        }
    }

    /// <summary>Passes so far (list what is due, start its timeouts, read the next deadline): how often it woke.</summary>
    internal long Passes => Interlocked.Read(ref _passes);

    /// <summary>
    /// Whether <paramref name="change"/> must cut a sleep planned to end at <paramref name="wakeUnixMs"/>:
    /// it leaves an approval open and either carries a deadline before that wake or carries none that
    /// the store vouches for (null: another sidecar's change, or a store that does not say). A
    /// deadline at or after the wake is found by the next pass's read.
    /// </summary>
    internal static bool Wakes(ApprovalChange change, long wakeUnixMs) =>
        ApprovalStates.IsOpen(change.State) && change.DeadlineUnixMs switch
        {
            null => true,
            0 => false,
            var deadline => deadline < wakeUnixMs,
        };

    private async Task WaitForChangeOrDelayAsync(ChangeListener listener, TimeSpan wait, long wakeUnixMs, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(wait);
        try
        {
            // A change may carry a deadline earlier than the one we sleep for: wake up and re-plan.
            while (await listener.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
            {
                var earlier = false;
                while (listener.Reader.TryRead(out var change))
                {
                    earlier |= Wakes(change, wakeUnixMs);
                }

                if (earlier)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>What the scheduler knows of one due approval's timeout.</summary>
    private sealed class Timeout
    {
        public Outcome Outcome = Outcome.Running;

        /// <summary>Unix ms after which a timeout that changed nothing or failed is tried again.</summary>
        public long RetryAtMs;

        /// <summary>Tries in a row that changed nothing or failed.</summary>
        public int Misses;

        /// <summary>
        /// Whether a pass at <paramref name="nowMs"/> may start it again: only a retry that is due
        /// (never one running, nor one applied that a listing read before its write still shows).
        /// </summary>
        public bool CanStart(long nowMs) => Outcome == Outcome.Retry && RetryAtMs <= nowMs + RetrySlackMs;
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "deadline scheduler: store unavailable ({Detail}); retrying")]
    private static partial void LogStoreDown(ILogger logger, string detail);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "deadline scheduler pass failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "deadline scheduler: approval {ApprovalId} is listed due but its timeout changed nothing three times (the approval's record does not show it due, or other writers won every race); retrying every 100 ms")]
    private static partial void LogStuck(ILogger logger, string approvalId);
}
