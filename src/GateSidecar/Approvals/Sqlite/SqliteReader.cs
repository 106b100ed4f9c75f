using GateSidecar.Approvals.Stored;
using Microsoft.Data.Sqlite;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>
/// One reader connection and the statements it keeps prepared for the frequent reads: the record
/// by id (every Decide, Guard and Watch reads one) and the deadline scheduler's two queries (run
/// on every pass). A statement made anew for each read is parsed
/// and planned by SQLite each time. Used by one read at a time (<see cref="SqliteDatabase.Lease"/>).
/// </summary>
internal sealed class SqliteReader(SqliteConnection connection) : IDisposable
{
    private SqliteCommand? _byId;
    private SqliteCommand? _due;
    private SqliteCommand? _nextDeadline;

    public SqliteConnection Connection { get; } = connection;

    /// <summary>Set when a read on it failed: the connection is closed instead of kept.</summary>
    public bool Broken { get; set; }

    public StoredApproval? GetApproval(string approvalId)
    {
        _byId ??= SqliteApprovalStore.Statement(Connection, "SELECT data FROM approvals WHERE id = $id;", "$id");
        _byId.Parameters[0].Value = approvalId;
        using var reader = _byId.ExecuteReader();
        return reader.Read() ? StoredApproval.Parser.ParseFrom((byte[])reader.GetValue(0)) : null;
    }

    /// <summary>Open approvals whose deadline is at or before <paramref name="nowMs"/>, earliest first, with their records except the <paramref name="known"/> ones.</summary>
    public IReadOnlyList<DueApproval> Due(long nowMs, int max, IReadOnlySet<string>? known)
    {
        _due ??= SqliteApprovalStore.Statement(
            Connection,
            """
            SELECT id, data FROM approvals
            WHERE state IN (1, 2) AND deadline_ms > 0 AND deadline_ms <= $now
            ORDER BY deadline_ms, id
            LIMIT $max;
            """,
            "$now",
            "$max");
        _due.Parameters[0].Value = nowMs;
        _due.Parameters[1].Value = max;
        using var reader = _due.ExecuteReader();
        var due = new List<DueApproval>();
        while (reader.Read())
        {
            var id = reader.GetString(0);
            due.Add(new DueApproval(id, known is not null && known.Contains(id) ? null : StoredApproval.Parser.ParseFrom((byte[])reader.GetValue(1))));
        }

        return due;
    }

    /// <summary>The earliest deadline of an open approval later than <paramref name="afterMs"/> (0 or more), or null when none has one.</summary>
    public DateTimeOffset? NextDeadline(long afterMs)
    {
        // "deadline_ms > 0" repeats the partial index's own condition, which SQLite cannot infer from
        // "> $after": without it the query does not use approvals_pending_by_deadline.
        _nextDeadline ??= SqliteApprovalStore.Statement(
            Connection,
            "SELECT min(deadline_ms) FROM approvals WHERE state IN (1, 2) AND deadline_ms > 0 AND deadline_ms > $after;",
            "$after");
        _nextDeadline.Parameters[0].Value = afterMs;
        return _nextDeadline.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    public void Dispose()
    {
        _byId?.Dispose();
        _due?.Dispose();
        _nextDeadline?.Dispose();
        Connection.Dispose();
    }
}
