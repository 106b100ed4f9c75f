using Gate.V1;
using GateSidecar.Approvals.Stored;
using GateSidecar.Audit;
using Google.Protobuf;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>
/// The index columns of one approval row, taken from the record when the write is queued, and the
/// record itself (the writer's own, unchanged from here on), which its change carries to listeners.
/// </summary>
internal readonly record struct SqliteApprovalRow(
    string Id, string Tenant, string CallId, ApprovalState State, string Pool, long DeadlineMs, long Seq, byte[] Data, StoredApproval Record)
{
    public static SqliteApprovalRow From(StoredApproval record) => new(
        record.Approval.ApprovalId,
        StoreConventions.Tenant(record),
        record.Approval.Request?.CallId ?? string.Empty,
        record.Approval.State,
        record.Approval.Pool,
        StoreConventions.IndexedDeadlineMs(record.Approval.State, record.DeadlineUnixMs),
        record.Approval.Seq,
        record.ToByteArray(),
        record);

    public ApprovalChange Change => new(Id, Seq, State, Pool, Data, DeadlineMs) { CommittedRecord = Record };
}

/// <summary>What a write sees inside the batch transaction: the statements and the chain head.</summary>
internal sealed class SqliteWriteContext(SqliteWriteCommands commands)
{
    public SqliteWriteCommands Commands { get; } = commands;

    public long NowMs { get; set; }

    public long HeadSeq { get; set; }

    public string HeadHash { get; set; } = AuditChain.Genesis;

    /// <summary>Seals each draft onto the chain head read inside this transaction and inserts it.</summary>
    public void AppendAudit(IReadOnlyList<AuditEvent> drafts, long[] atMs)
    {
        for (var i = 0; i < drafts.Count; i++)
        {
            var entry = AuditChain.Seal(drafts[i], HeadSeq + 1, HeadHash);
            Commands.InsertAudit(entry, atMs[i]);
            HeadSeq = entry.Seq;
            HeadHash = entry.Hash;
        }
    }
}

/// <summary>One queued write. The writer runs it inside a batch transaction and completes it after COMMIT.</summary>
internal abstract class SqliteWriteOperation
{
    /// <summary>The change to publish once committed, if the write changed a record.</summary>
    public ApprovalChange? Change { get; protected set; }

    /// <summary>False when the caller gave up before the write started (the write is then skipped).</summary>
    public abstract bool TryStart();

    public abstract void Execute(SqliteWriteContext context);

    public abstract void Complete();

    public abstract void Fail(Exception exception);
}

internal abstract class SqliteWriteOperation<T>(CancellationToken cancellationToken) : SqliteWriteOperation
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    public Task<T> Task => _completion.Task;

    public override bool TryStart()
    {
        if (cancellationToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(cancellationToken);
            return false;
        }

        return true;
    }

    public override void Execute(SqliteWriteContext context)
    {
        Change = null;
        _result = Run(context);
    }

    public override void Complete() => _completion.TrySetResult(_result!);

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    protected abstract T Run(SqliteWriteContext context);
}
