using GateSidecar.Approvals;
using GateSidecar.Audit;

namespace GateSidecar.Hosting;

/// <summary>
/// Applies retention periodically: prunes the audit chain's head behind a signed checkpoint
/// (<c>--audit-retention</c>), deletes finished approvals (<c>--retention</c>) and forgets used token
/// ids whose tokens can no longer be presented (always). Every sidecar sharing a store runs it; the
/// stores' compare-and-set makes concurrent passes safe.
/// </summary>
internal sealed partial class RetentionScheduler(
    IApprovalStore store, AuditRetention audit, TimeSpan? auditRetention, TimeSpan? retention, TimeProvider time, ILogger<RetentionScheduler> logger)
    : BackgroundService
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromMinutes(10);

    /// <summary>A tenth of the shortest retention, between 1 second and 10 minutes.</summary>
    public TimeSpan Interval { get; } = IntervalFor(auditRetention, retention);

    public static TimeSpan IntervalFor(TimeSpan? auditRetention, TimeSpan? retention)
    {
        var shortest = (auditRetention, retention) switch
        {
            ({ } a, { } r) => a < r ? a : r,
            ({ } a, null) => a,
            (null, { } r) => r,
            _ => MaxInterval * 10,
        };
        var interval = shortest / 10;
        return interval < MinInterval ? MinInterval : interval > MaxInterval ? MaxInterval : interval;
    }

    /// <summary>One pass: what the background loop runs every <see cref="Interval"/>.</summary>
    public async Task<(AuditPruneResult Audit, int Approvals)> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var pruned = auditRetention is { } keepAudit
            ? await audit.PruneAsync(now - keepAudit, cancellationToken).ConfigureAwait(false)
            : default;
        var approvals = await store.PruneAsync(retention is { } keep ? now - keep : DateTimeOffset.MinValue, cancellationToken).ConfigureAwait(false);
        if (approvals > 0)
        {
            LogApprovalsPruned(logger, approvals);
        }

        return (pruned, approvals);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreUnavailableException ex)
            {
                LogStoreDown(logger, ex.Message);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
            {
                // The store is not initialized yet (unreachable at start-up) or is closing.
                LogStoreDown(logger, ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "retention deleted {Count} finished approvals")]
    private static partial void LogApprovalsPruned(ILogger logger, int count);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "retention skipped a pass: {Detail}; it runs again at the next interval")]
    private static partial void LogStoreDown(ILogger logger, string detail);
}
