using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;

namespace GateSidecar.Telemetry;

/// <summary>
/// An <see cref="IApprovalStore"/> that traces and measures every call of the store it wraps
/// (<c>gate.store.*</c> spans, <c>gate.store.duration</c>, <c>gate.store.errors</c>). When nothing
/// listens, each call goes straight to the inner store.
/// </summary>
internal sealed class InstrumentedApprovalStore(IApprovalStore inner, TimeProvider time) : IApprovalStore
{
    public IApprovalStore Inner => inner;

    public string Name => inner.Name;

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public ValueTask<CreateResult> CreateAsync(StoredApproval record, IReadOnlyList<AuditEvent> audit, CancellationToken cancellationToken) =>
        StoreProbe.Enabled
            ? ObserveAsync(StoreOperation.Create, record.Approval.ApprovalId, (record, audit), static (s, st, ct) => s.CreateAsync(st.record, st.audit, ct), cancellationToken)
            : inner.CreateAsync(record, audit, cancellationToken);

    public ValueTask<StoredApproval?> GetAsync(string approvalId, CancellationToken cancellationToken) =>
        StoreProbe.Enabled
            ? ObserveAsync(StoreOperation.Get, approvalId, approvalId, static (s, id, ct) => s.GetAsync(id, ct), cancellationToken)
            : inner.GetAsync(approvalId, cancellationToken);

    public ValueTask<bool> TryUpdateAsync(StoredApproval record, long expectedSeq, IReadOnlyList<AuditEvent> audit, CancellationToken cancellationToken) =>
        StoreProbe.Enabled
            ? ObserveAsync(StoreOperation.Update, record.Approval.ApprovalId, (record, expectedSeq, audit), static (s, st, ct) => s.TryUpdateAsync(st.record, st.expectedSeq, st.audit, ct), cancellationToken)
            : inner.TryUpdateAsync(record, expectedSeq, audit, cancellationToken);

    public ValueTask<PendingPage> ListPendingAsync(IReadOnlyCollection<string> pools, string? pageToken, int pageSize, CancellationToken cancellationToken) =>
        StoreProbe.Enabled
            ? ObserveAsync(StoreOperation.ListPending, null, (pools, pageToken, pageSize), static (s, st, ct) => s.ListPendingAsync(st.pools, st.pageToken, st.pageSize, ct), cancellationToken)
            : inner.ListPendingAsync(pools, pageToken, pageSize, cancellationToken);

    public ValueTask<IReadOnlyList<DueApproval>> GetDueAsync(DateTimeOffset now, int max, IReadOnlySet<string>? known, CancellationToken cancellationToken) =>
        StoreProbe.Enabled
            ? ObserveAsync(StoreOperation.GetDue, null, (now, max, known), static (s, st, ct) => s.GetDueAsync(st.now, st.max, st.known, ct), cancellationToken)
            : inner.GetDueAsync(now, max, known, cancellationToken);

    public ValueTask<DateTimeOffset?> GetNextDeadlineAsync(DateTimeOffset after, CancellationToken cancellationToken) =>
        StoreProbe.Enabled
            ? ObserveAsync(StoreOperation.NextDeadline, null, after, static (s, a, ct) => s.GetNextDeadlineAsync(a, ct), cancellationToken)
            : inner.GetNextDeadlineAsync(after, cancellationToken);

    public ValueTask<bool> TryConsumeTokenAsync(string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        StoreProbe.Enabled
            ? ObserveAsync(StoreOperation.ConsumeToken, null, (jti, expiresAt), static (s, st, ct) => s.TryConsumeTokenAsync(st.jti, st.expiresAt, ct), cancellationToken)
            : inner.TryConsumeTokenAsync(jti, expiresAt, cancellationToken);

    public ValueTask<AuditPage> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken) =>
        StoreProbe.Enabled
            ? ObserveAsync(StoreOperation.ListAudit, query.ApprovalId, query, static (s, q, ct) => s.ListAuditAsync(q, ct), cancellationToken)
            : inner.ListAuditAsync(query, cancellationToken);

    /// <summary>A long read for verification: not measured as one operation.</summary>
    public IAsyncEnumerable<AuditEvent> ReadAuditAsync(CancellationToken cancellationToken) => inner.ReadAuditAsync(cancellationToken);

    public IDisposable Subscribe(Action<ApprovalChange> onChange) => inner.Subscribe(onChange);

    public ValueTask<bool> PingAsync(CancellationToken cancellationToken) =>
        StoreProbe.Enabled
            ? ObserveAsync(StoreOperation.Ping, null, 0, static (s, _, ct) => s.PingAsync(ct), cancellationToken)
            : inner.PingAsync(cancellationToken);

    public ValueTask<int> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        StoreProbe.Enabled
            ? ObserveAsync(StoreOperation.Prune, null, olderThan, static (s, t, ct) => s.PruneAsync(t, ct), cancellationToken)
            : inner.PruneAsync(olderThan, cancellationToken);

    // Audit-only appends and pruning are rare (refused reports, the retention pass): not instrumented.
    public ValueTask AppendAuditAsync(IReadOnlyList<AuditEvent> entries, CancellationToken cancellationToken) =>
        inner.AppendAuditAsync(entries, cancellationToken);

    public ValueTask<Audit.AuditCheckpoint?> GetAuditCheckpointAsync(CancellationToken cancellationToken) =>
        inner.GetAuditCheckpointAsync(cancellationToken);

    public ValueTask<bool> TryPruneAuditAsync(long expectedThroughSeq, Audit.AuditCheckpoint next, IReadOnlyList<AuditEvent> pruned, CancellationToken cancellationToken) =>
        inner.TryPruneAuditAsync(expectedThroughSeq, next, pruned, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    // An async method of its own: the span is current for the inner call only, never for the caller.
    private async ValueTask<T> ObserveAsync<TState, T>(
        StoreOperation operation,
        string? approvalId,
        TState state,
        Func<IApprovalStore, TState, CancellationToken, ValueTask<T>> call,
        CancellationToken cancellationToken)
    {
        using var probe = StoreProbe.Start(inner.Name, operation, approvalId, time);
        try
        {
            return await call(inner, state, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (probe.Failed(ex))
        {
            throw;
        }
    }
}
