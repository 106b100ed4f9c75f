using System.Collections.Concurrent;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;
using GateSidecar.Audit;

namespace GateSidecar.Tests.Approvals.Functional;

/// <summary>
/// A store that passes every call to the real one, counts reads by id, can act right after a
/// creation commits (before the caller sees it): what an approver or another sidecar might do in
/// that instant, and can hold an update back (a slow write).
/// </summary>
internal sealed class ObservedApprovalStore(IApprovalStore inner) : IApprovalStore
{
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);

    public IApprovalStore Inner => inner;

    /// <summary>Runs after a creation committed and before it returns; the inner store is the argument.</summary>
    public Func<IApprovalStore, CreateResult, Task>? AfterCreate { get; set; }

    public int ReadsOf(string approvalId) => _reads.TryGetValue(approvalId, out var n) ? n : 0;

    public string Name => inner.Name;

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    /// <summary>Runs before a creation is passed on (a store that refuses it, by throwing).</summary>
    public Func<StoredApproval, Task>? BeforeCreate { get; set; }

    public async ValueTask<CreateResult> CreateAsync(StoredApproval record, IReadOnlyList<AuditEvent> audit, CancellationToken cancellationToken)
    {
        if (BeforeCreate is { } before)
        {
            await before(record);
        }

        var result = await inner.CreateAsync(record, audit, cancellationToken);
        if (AfterCreate is { } after)
        {
            await after(inner, result);
        }

        return result;
    }

    public ValueTask<StoredApproval?> GetAsync(string approvalId, CancellationToken cancellationToken)
    {
        _reads.AddOrUpdate(approvalId, 1, static (_, n) => n + 1);
        return inner.GetAsync(approvalId, cancellationToken);
    }

    /// <summary>Runs before an update is passed on (the record it would write is the argument): a slow write.</summary>
    public Func<StoredApproval, Task>? BeforeUpdate { get; set; }

    public async ValueTask<bool> TryUpdateAsync(StoredApproval record, long expectedSeq, IReadOnlyList<AuditEvent> audit, CancellationToken cancellationToken)
    {
        if (BeforeUpdate is { } before)
        {
            await before(record);
        }

        return await inner.TryUpdateAsync(record, expectedSeq, audit, cancellationToken);
    }

    public ValueTask<PendingPage> ListPendingAsync(IReadOnlyCollection<string> pools, string? pageToken, int pageSize, CancellationToken cancellationToken) =>
        inner.ListPendingAsync(pools, pageToken, pageSize, cancellationToken);

    public ValueTask<IReadOnlyList<DueApproval>> GetDueAsync(DateTimeOffset now, int max, IReadOnlySet<string>? known, CancellationToken cancellationToken) =>
        inner.GetDueAsync(now, max, known, cancellationToken);

    public ValueTask<DateTimeOffset?> GetNextDeadlineAsync(DateTimeOffset after, CancellationToken cancellationToken) => inner.GetNextDeadlineAsync(after, cancellationToken);

    public ValueTask<bool> TryConsumeTokenAsync(string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        inner.TryConsumeTokenAsync(jti, expiresAt, cancellationToken);

    public ValueTask<AuditPage> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken) => inner.ListAuditAsync(query, cancellationToken);

    public IAsyncEnumerable<AuditEvent> ReadAuditAsync(CancellationToken cancellationToken) => inner.ReadAuditAsync(cancellationToken);

    public ValueTask AppendAuditAsync(IReadOnlyList<AuditEvent> entries, CancellationToken cancellationToken) => inner.AppendAuditAsync(entries, cancellationToken);

    public ValueTask<AuditCheckpoint?> GetAuditCheckpointAsync(CancellationToken cancellationToken) => inner.GetAuditCheckpointAsync(cancellationToken);

    public ValueTask<bool> TryPruneAuditAsync(long expectedThroughSeq, AuditCheckpoint next, IReadOnlyList<AuditEvent> pruned, CancellationToken cancellationToken) =>
        inner.TryPruneAuditAsync(expectedThroughSeq, next, pruned, cancellationToken);

    /// <summary>Changes for which this returns true are not passed on (an announcement lost on the way).</summary>
    public Func<ApprovalChange, bool>? DropChange { get; set; }

    private readonly ApprovalChangeFanout _subscribers = new();
    private IDisposable? _forwarding;

    public IDisposable Subscribe(Action<ApprovalChange> onChange)
    {
        // One subscription to the inner store, made with the first, forwards what is not dropped.
        lock (_subscribers)
        {
            _forwarding ??= inner.Subscribe(change =>
            {
                if (DropChange?.Invoke(change) != true)
                {
                    Announce(change);
                }
            });
        }

        return _subscribers.Subscribe(onChange);
    }

    /// <summary>
    /// Hands <paramref name="change"/> to every subscriber, as the inner store would (one that
    /// throws does not stop the others); their failures are thrown afterwards, to the caller.
    /// </summary>
    public void Announce(ApprovalChange change)
    {
        List<Exception>? errors = null;
        _subscribers.Publish(change, ex => (errors ??= []).Add(ex));
        if (errors is not null)
        {
            throw new AggregateException("a subscriber failed", errors);
        }
    }

    public ValueTask<bool> PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

    public ValueTask<int> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) => inner.PruneAsync(olderThan, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _forwarding?.Dispose();
        return inner.DisposeAsync();
    }
}
