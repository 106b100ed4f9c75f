using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvals;

/// <summary>
/// Applies due deadlines. It sleeps until the store's earliest deadline (or a change that brings an
/// earlier one, or at most <see cref="MaxSleep"/> so deadlines created by other sidecars are seen),
/// then applies every due one through <see cref="ApprovalService.ApplyTimeoutAsync"/>. A change
/// that leaves an approval open wakes it only when the change's deadline is earlier than the planned
/// wake or the change does not carry its deadline (<see cref="Wakes"/>). Exactly once
/// across sidecars comes from compare-and-set: a timeout that loses the race re-reads and finds
/// nothing due. Deadlines that passed while every sidecar was down are applied on the first pass.
/// </summary>
internal sealed partial class DeadlineScheduler(ApprovalService approvals, ChangeFeed feed, TimeProvider time, ILogger<DeadlineScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(1);

    /// <summary>How long it waits when the earliest deadline is past and a pass applied nothing.</summary>
    internal static readonly TimeSpan StuckRetry = TimeSpan.FromMilliseconds(100);
    private const int Batch = 256;
    private const int Parallelism = 64;
    private long _passes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = feed.ListenAll();
        var stuckPasses = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Interlocked.Increment(ref _passes);
                var pass = await ApplyDueAsync(stoppingToken).ConfigureAwait(false);
                var next = await approvals.Store.GetNextDeadlineAsync(stoppingToken).ConfigureAwait(false);
                var now = time.GetUtcNow();
                var wait = next is null ? MaxSleep : next.Value - now;
                if (wait > MaxSleep)
                {
                    wait = MaxSleep;
                }

                // The store listed due approvals, none could be timed out, and the earliest deadline
                // is still past, three passes in a row: it lists one that cannot be timed out from
                // here (its record says otherwise, or other writers win every race). Retry soon
                // instead of spinning. (A single such pass is a race, and a pass that found nothing
                // due only met a deadline that fell due meanwhile: both pass again at once.)
                stuckPasses = wait <= TimeSpan.Zero && pass.Listed > 0 && pass.Applied == 0 ? stuckPasses + 1 : 0;
                if (stuckPasses >= 3)
                {
                    if (stuckPasses == 3)
                    {
                        LogStuck(logger, next!.Value);
                    }

                    wait = StuckRetry;
                }

                // Deadlines are whole milliseconds and a timer of less than one fires at once: a
                // deadline under a millisecond away would otherwise cost a few passes that find
                // nothing due yet.
                if (wait > TimeSpan.Zero && wait < TimeSpan.FromMilliseconds(1))
                {
                    wait = TimeSpan.FromMilliseconds(1);
                }

                if (wait > TimeSpan.Zero)
                {
                    await WaitForChangeOrDelayAsync(listener, wait, (now + wait).ToUnixTimeMilliseconds(), stoppingToken).ConfigureAwait(false);
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

    /// <summary>Applies every deadline due now; returns how many the store listed and how many changed an approval.</summary>
    public async Task<(int Listed, int Applied)> ApplyDueAsync(CancellationToken cancellationToken)
    {
        var listed = 0;
        var applied = 0;
        while (true)
        {
            var due = await approvals.Store.GetDueAsync(time.GetUtcNow(), Batch, cancellationToken).ConfigureAwait(false);
            listed += due.Count;
            var changed = 0;

            // The timeouts of a pass run side by side so that they share the store's group
            // commits; one after another, each waited for a commit (and an fsync) of its own.
            // Each is still a compare-and-set, so a timeout racing a decision or another sidecar
            // applies at most once.
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
            {
                if (await approvals.ApplyTimeoutAsync(id, ct).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref changed);
                }
            }).ConfigureAwait(false);

            applied += changed;
            if (due.Count < Batch || changed == 0)
            {
                return (listed, applied);
            }
        }
    }

    /// <summary>Passes so far (apply what is due, read the next deadline): how often it woke.</summary>
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

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "deadline scheduler: store unavailable ({Detail}); retrying")]
    private static partial void LogStoreDown(ILogger logger, string detail);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "deadline scheduler pass failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "deadline scheduler: a deadline due since {Due:O} could not be applied (the approval's record does not show it due, or other writers won every race); retrying every 100 ms")]
    private static partial void LogStuck(ILogger logger, DateTimeOffset due);
}
