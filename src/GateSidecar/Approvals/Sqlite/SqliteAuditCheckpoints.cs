using GateSidecar.Audit;
using Microsoft.Data.Sqlite;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>The one row of <c>audit_checkpoint</c>.</summary>
internal static class SqliteAuditCheckpoints
{
    public static AuditCheckpoint? Read(SqliteConnection connection)
    {
        using var command = SqliteApprovalStore.Command(connection, "SELECT through_seq, hash, at_ms, kid, signature FROM audit_checkpoint WHERE id = 1;");
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new AuditCheckpoint(
            reader.GetInt64(0),
            reader.GetString(1),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
            reader.GetString(3),
            reader.GetString(4));
    }

    public static void Write(SqliteConnection connection, AuditCheckpoint checkpoint)
    {
        using var command = SqliteApprovalStore.Command(
            connection,
            """
            INSERT INTO audit_checkpoint (id, through_seq, hash, at_ms, kid, signature)
            VALUES (1, $through_seq, $hash, $at_ms, $kid, $signature)
            ON CONFLICT (id) DO UPDATE SET through_seq = excluded.through_seq, hash = excluded.hash,
                at_ms = excluded.at_ms, kid = excluded.kid, signature = excluded.signature;
            """,
            ("$through_seq", checkpoint.ThroughSeq),
            ("$hash", checkpoint.Hash),
            ("$at_ms", checkpoint.At.ToUnixTimeMilliseconds()),
            ("$kid", checkpoint.KeyId),
            ("$signature", checkpoint.Signature));
        command.ExecuteNonQuery();
    }
}
