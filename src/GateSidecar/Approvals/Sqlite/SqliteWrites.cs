using Gate.V1;
using GateSidecar.Approvals.Stored;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>Create-if-absent keyed by (tenant, call_id); audit entries only when inserted.</summary>
internal sealed class SqliteCreateWrite(
    StoredApproval record, IReadOnlyList<AuditEvent> audit, long[] auditAtMs, long createdMs, CancellationToken cancellationToken)
    : SqliteWriteOperation<CreateResult>(cancellationToken)
{
    private readonly SqliteApprovalRow _row = SqliteApprovalRow.From(record);

    protected override CreateResult Run(SqliteWriteContext context)
    {
        if (context.Commands.InsertApproval(_row, createdMs, context.NowMs))
        {
            context.AppendAudit(audit, auditAtMs);
            Change = StoreConventions.IsPending(_row.State) ? _row.Change : null;
            return new CreateResult(true, record);
        }

        var existing = context.Commands.SelectByKey(_row.Tenant, _row.CallId)
            ?? throw new InvalidOperationException($"approval for tenant '{_row.Tenant}' call '{_row.CallId}' conflicted but cannot be read back.");
        return new CreateResult(false, existing);
    }
}

/// <summary>Compare-and-set on approval.seq; audit entries only when the row was replaced.</summary>
internal sealed class SqliteUpdateWrite(
    StoredApproval record, long expectedSeq, IReadOnlyList<AuditEvent> audit, long[] auditAtMs, CancellationToken cancellationToken)
    : SqliteWriteOperation<bool>(cancellationToken)
{
    private readonly SqliteApprovalRow _row = SqliteApprovalRow.From(record);

    protected override bool Run(SqliteWriteContext context)
    {
        if (!context.Commands.UpdateApproval(_row, expectedSeq, context.NowMs))
        {
            return false;
        }

        context.AppendAudit(audit, auditAtMs);
        Change = _row.Change;
        return true;
    }
}

/// <summary>Single use of a token id: true only for the first insert.</summary>
internal sealed class SqliteConsumeTokenWrite(string jti, long keepUntilMs, CancellationToken cancellationToken)
    : SqliteWriteOperation<bool>(cancellationToken)
{
    protected override bool Run(SqliteWriteContext context) => context.Commands.InsertToken(jti, keepUntilMs);
}

/// <summary>Retention: terminal approvals last written before the cut-off, and expired token ids.</summary>
internal sealed class SqlitePruneWrite(long olderThanMs, CancellationToken cancellationToken)
    : SqliteWriteOperation<int>(cancellationToken)
{
    protected override int Run(SqliteWriteContext context) => context.Commands.Prune(olderThanMs, context.NowMs);
}
