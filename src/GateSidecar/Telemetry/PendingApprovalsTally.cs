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
/// closed meanwhile is not re-added). A change lost in a Redis subscription gap longer than the
/// store's change log leaves the count off until that approval changes again; approvals in pools the policy no longer
/// names are not seeded.
/// </remarks>
internal sealed partial class PendingApprovalsTally(
    IApprovalStore store,
    Func<IReadOnlyCollection<string>> pools,
    Func<bool> storeReady,
    TimeProvider time,
    ILogger<PendingApprovalsTally> logger) : BackgroundService
{
    private const int PageSize = 500;
    private readonly ConcurrentDictionary<string, (long Seq, string Pool)> _open = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, byte>? _closedWhileSeeding = new(StringComparer.Ordinal);
    private IDisposable? _subscription;

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

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        string? page = null;
        var seeded = 0;
        do
        {
            var result = await store.ListPendingAsync(pools(), page, PageSize, cancellationToken).ConfigureAwait(false);
            var closed = Volatile.Read(ref _closedWhileSeeding);
            foreach (var record in result.Items)
            {
                var a = record.Approval;
                if (closed is not null && closed.ContainsKey(a.ApprovalId))
                {
                    continue;
                }

                Apply(new ApprovalChange(a.ApprovalId, a.Seq, a.State, a.Pool));
                seeded++;
            }

            page = result.NextPageToken;
        }
        while (page is not null);

        Volatile.Write(ref _closedWhileSeeding, null);
        LogSeeded(logger, seeded);
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "pending approvals gauge seeded with {Count} open approvals from the store")]
    private static partial void LogSeeded(ILogger logger, int count);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "pending approvals gauge: the store is not answering yet ({Detail}); retrying")]
    private static partial void LogSeedRetry(ILogger logger, string detail);
}
