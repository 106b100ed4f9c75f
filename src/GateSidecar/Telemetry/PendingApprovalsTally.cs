using System.Collections.Concurrent;
using GateSidecar.Approvals;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Telemetry;

/// <summary>
/// The open approvals (PENDING or ESCALATED) by pool, for the <c>gate.approvals.pending</c> gauge:
/// kept in memory from the store's committed changes, seeded once from the store when it first
/// answers. With Redis every sidecar sees every change, so each reports the shared total.
/// </summary>
/// <remarks>
/// Relies on the stores publishing each approval's changes in commit order; an open entry only
/// moves forward in seq. Changes committed while the seed is read are reconciled (an approval
/// closed meanwhile is not re-added). When the store reports lost changes (a Redis subscription
/// gap longer than its change log: <see cref="ApprovalChange.Resync"/>) the open approvals are read
/// again the same way, and those counted open that the read no longer lists, unchanged since it
/// began, are dropped. Approvals in pools the policy no longer names are not seeded.
/// </remarks>
internal sealed partial class PendingApprovalsTally(
    IApprovalStore store,
    Func<IReadOnlyCollection<string>> pools,
    Func<bool> storeReady,
    TimeProvider time,
    ILogger<PendingApprovalsTally> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, (long Seq, string Pool)> _open = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, byte>? _closedWhileSeeding = new(StringComparer.Ordinal);
    private IDisposable? _subscription;
    private volatile bool _seeded;
    private int _resyncRequests;

    public int Count => _open.Count;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = store.Subscribe(Apply);
        GateMetrics.Track(this);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        GateMetrics.Untrack(this);
        _subscription?.Dispose();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds every pool of the policy (so an empty pool reports 0) and the open approvals per pool.</summary>
    public void CountByPool(Dictionary<string, long> counts)
    {
        foreach (var pool in pools())
        {
            counts.TryAdd(pool, 0);
        }

        foreach (var entry in _open.Values)
        {
            counts[entry.Pool] = counts.GetValueOrDefault(entry.Pool) + 1;
        }
    }

    internal void Apply(ApprovalChange change)
    {
        if (change.IsResync)
        {
            // Before the first seed there is nothing to correct: the seed reads everything.
            if (_seeded && Interlocked.Increment(ref _resyncRequests) == 1)
            {
                _ = Task.Run(ResyncAsync);
            }

            return;
        }

        if (ApprovalStates.IsOpen(change.State))
        {
            _open.AddOrUpdate(change.ApprovalId, static (_, c) => (c.Seq, c.Pool), static (_, old, c) => c.Seq > old.Seq ? (c.Seq, c.Pool) : old, change);
            return;
        }

        // Most changes are auto-pass calls that were never open: one failed lookup.
        _open.TryRemove(change.ApprovalId, out _);
        if (Volatile.Read(ref _closedWhileSeeding) is { } closed)
        {
            closed[change.ApprovalId] = 0;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (storeReady())
                {
                    await SeedAsync(stoppingToken).ConfigureAwait(false);
                    return;
                }
            }
            catch (StoreUnavailableException ex)
            {
                LogSeedRetry(logger, ex.Message);
            }

            await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the open approvals again after lost changes, once more if asked again meanwhile.</summary>
    private async Task ResyncAsync()
    {
        while (true)
        {
            try
            {
                Volatile.Write(ref _closedWhileSeeding, new ConcurrentDictionary<string, byte>(StringComparer.Ordinal));
                var before = _open.ToArray();
                var listed = await SeedAsync(CancellationToken.None).ConfigureAwait(false);
                foreach (var entry in before)
                {
                    if (!listed.Contains(entry.Key))
                    {
                        // Closed (or moved out of the policy's pools) while its change was lost;
                        // an entry a newer change moved since is left to that change.
                        _open.TryRemove(entry);
                    }
                }
            }
            catch (Exception ex)
            {
                Volatile.Write(ref _closedWhileSeeding, null);
                LogResyncFailed(logger, ex.Message);
            }

            if (Interlocked.CompareExchange(ref _resyncRequests, 0, 1) == 1)
            {
                return;
            }

            Volatile.Write(ref _resyncRequests, 1);
        }
    }

    private async Task<HashSet<string>> SeedAsync(CancellationToken cancellationToken)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        var closed = Volatile.Read(ref _closedWhileSeeding);
        var seeded = 0;
        await foreach (var record in store.ListAllPendingAsync(pools(), cancellationToken).ConfigureAwait(false))
        {
            var a = record.Approval;
            listed.Add(a.ApprovalId);
            if (closed is not null && closed.ContainsKey(a.ApprovalId))
            {
                continue;
            }

            Apply(new ApprovalChange(a.ApprovalId, a.Seq, a.State, a.Pool));
            seeded++;
        }

        Volatile.Write(ref _closedWhileSeeding, null);
        _seeded = true;
        LogSeeded(logger, seeded);
        return listed;
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "pending approvals gauge seeded with {Count} open approvals from the store")]
    private static partial void LogSeeded(ILogger logger, int count);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "pending approvals gauge: reading the open approvals again after lost changes failed ({Detail}); the count stays as it was until those approvals change again")]
    private static partial void LogResyncFailed(ILogger logger, string detail);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "pending approvals gauge: the store is not answering yet ({Detail}); retrying")]
    private static partial void LogSeedRetry(ILogger logger, string detail);
}
