using Gate.V1;
using GateSidecar.Audit;
using Google.Protobuf;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>Audit entries without a record change, and the pruned head of the chain.</summary>
internal sealed partial class SqliteApprovalStore
{
    public ValueTask AppendAuditAsync(IReadOnlyList<AuditEvent> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var atMs = StoreConventions.PrepareAudit(entries, string.Empty, _time);
        return new ValueTask(Writer.Enqueue(new SqliteAppendAuditWrite(entries, atMs, cancellationToken)));
    }

    public ValueTask<AuditCheckpoint?> GetAuditCheckpointAsync(CancellationToken cancellationToken) =>
        ReadAsync(0, static (reader, _) => SqliteAuditCheckpoints.Read(reader.Connection), cancellationToken);

    public ValueTask<bool> TryPruneAuditAsync(long expectedThroughSeq, AuditCheckpoint next, IReadOnlyList<AuditEvent> pruned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pruned);
        if (pruned.Count == 0 || pruned[^1].Seq != next.ThroughSeq)
        {
            throw new ArgumentException("pruned must end with the entry the checkpoint names (next.ThroughSeq).", nameof(pruned));
        }

        var write = new SqlitePruneAuditWrite(expectedThroughSeq, next, pruned[^1].ToByteArray(), cancellationToken);
        return new ValueTask<bool>(Writer.Enqueue(write));
    }
}

/// <summary>Audit entries that go with no record: sealed onto the chain head inside the batch transaction.</summary>
internal sealed class SqliteAppendAuditWrite(IReadOnlyList<AuditEvent> entries, long[] atMs, CancellationToken cancellationToken)
    : SqliteWriteOperation<bool>(cancellationToken)
{
    protected override bool Run(SqliteWriteContext context)
    {
        context.AppendAudit(entries, atMs);
        return true;
    }
}

/// <summary>Compare-and-set on the checkpoint: deletes the chain's head up to the new checkpoint and stores it.</summary>
internal sealed class SqlitePruneAuditWrite(long expectedThroughSeq, AuditCheckpoint next, byte[] lastPrunedBytes, CancellationToken cancellationToken)
    : SqliteWriteOperation<bool>(cancellationToken)
{
    protected override bool Run(SqliteWriteContext context)
    {
        var connection = context.Commands.Connection;
        var current = SqliteAuditCheckpoints.Read(connection);
        if ((current?.ThroughSeq ?? 0) != expectedThroughSeq || context.HeadSeq <= next.ThroughSeq)
        {
            return false;
        }

        using (var select = SqliteApprovalStore.Command(connection, "SELECT data FROM audit WHERE seq = $seq;", ("$seq", next.ThroughSeq)))
        {
            if (select.ExecuteScalar() is not byte[] stored || !stored.AsSpan().SequenceEqual(lastPrunedBytes))
            {
                return false;
            }
        }

        using (var delete = SqliteApprovalStore.Command(connection, "DELETE FROM audit WHERE seq <= $seq;", ("$seq", next.ThroughSeq)))
        {
            delete.ExecuteNonQuery();
        }

        SqliteAuditCheckpoints.Write(connection, next);
        return true;
    }
}
