using Gate.V1;
using GateSidecar.Approvals.Stored;
using Google.Protobuf;
using Microsoft.Data.Sqlite;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>
/// The writer connection's statements, prepared once and reused for every write (the writer is
/// single-threaded, so one instance of each suffices).
/// </summary>
internal sealed class SqliteWriteCommands : IDisposable
{
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackToSavepoint;
    private readonly SqliteCommand _insertApproval;
    private readonly SqliteCommand _selectByKey;
    private readonly SqliteCommand _updateApproval;
    private readonly SqliteCommand _readHead;
    private readonly SqliteCommand _insertAudit;
    private readonly SqliteCommand _insertToken;
    private readonly SqliteCommand _pruneApprovals;
    private readonly SqliteCommand _pruneTokens;

    public SqliteWriteCommands(SqliteConnection connection)
    {
        Connection = connection;
        _begin = SqliteApprovalStore.Statement(connection, "BEGIN IMMEDIATE;");
        _commit = SqliteApprovalStore.Statement(connection, "COMMIT;");
        _rollback = SqliteApprovalStore.Statement(connection, "ROLLBACK;");
        _savepoint = SqliteApprovalStore.Statement(connection, "SAVEPOINT op;");
        _release = SqliteApprovalStore.Statement(connection, "RELEASE op;");
        _rollbackToSavepoint = SqliteApprovalStore.Statement(connection, "ROLLBACK TO op; RELEASE op;");
        _insertApproval = SqliteApprovalStore.Statement(
            connection,
            """
            INSERT INTO approvals (id, tenant, call_id, state, pool, deadline_ms, created_ms, seq, data, updated_ms)
            VALUES ($id, $tenant, $call_id, $state, $pool, $deadline_ms, $created_ms, $seq, $data, $updated_ms)
            ON CONFLICT (tenant, call_id) DO NOTHING;
            """,
            "$id", "$tenant", "$call_id", "$state", "$pool", "$deadline_ms", "$created_ms", "$seq", "$data", "$updated_ms");
        _selectByKey = SqliteApprovalStore.Statement(connection, "SELECT data FROM approvals WHERE tenant = $tenant AND call_id = $call_id;", "$tenant", "$call_id");
        _updateApproval = SqliteApprovalStore.Statement(
            connection,
            """
            UPDATE approvals
            SET state = $state, pool = $pool, deadline_ms = $deadline_ms, seq = $seq, data = $data, updated_ms = $updated_ms
            WHERE id = $id AND seq = $expected_seq;
            """,
            "$state", "$pool", "$deadline_ms", "$seq", "$data", "$updated_ms", "$id", "$expected_seq");
        _readHead = SqliteApprovalStore.Statement(connection, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1;");
        _insertAudit = SqliteApprovalStore.Statement(
            connection,
            "INSERT INTO audit (seq, approval_id, at_ms, hash, data) VALUES ($seq, $approval_id, $at_ms, $hash, $data);",
            "$seq", "$approval_id", "$at_ms", "$hash", "$data");
        _insertToken = SqliteApprovalStore.Statement(
            connection,
            "INSERT INTO used_tokens (jti, expires_ms) VALUES ($jti, $expires_ms) ON CONFLICT (jti) DO NOTHING;",
            "$jti", "$expires_ms");
        _pruneApprovals = SqliteApprovalStore.Statement(connection, PruneApprovals, "$older_than");
        _pruneTokens = SqliteApprovalStore.Statement(connection, "DELETE FROM used_tokens WHERE expires_ms < $now;", "$now");
    }

    /// <summary>
    /// Deletes terminal approvals last written before <c>$older_than</c> without an index on
    /// <c>updated_ms</c>: a record is written after it is created, so such a record was also
    /// created before the cutoff, and records are numbered (rowid) in the order they were
    /// inserted. The subquery walks the rowids up from the oldest row left and stops at the first
    /// record created at or after the cutoff; the delete then searches only the rowids below it and
    /// still checks each row's state and <c>updated_ms</c>. Nothing newer can be deleted. If the
    /// clock steps back by D, rows inserted after the step are pruned up to D later than otherwise
    /// (until the cut-off passes the creation time of the rows inserted just before the step).
    /// </summary>
    public const string PruneApprovals = """
        DELETE FROM approvals
        WHERE rowid < coalesce(
                (SELECT rowid FROM approvals WHERE created_ms >= $older_than ORDER BY rowid LIMIT 1),
                9223372036854775807)
          AND state NOT IN (1, 2)
          AND updated_ms < $older_than;
        """;

    /// <summary>The writer connection, for rare writes that prepare their own statements.</summary>
    public SqliteConnection Connection { get; }

    public void Begin() => _begin.ExecuteNonQuery();

    public void Commit() => _commit.ExecuteNonQuery();

    public void Rollback() => _rollback.ExecuteNonQuery();

    public void Savepoint() => _savepoint.ExecuteNonQuery();

    public void Release() => _release.ExecuteNonQuery();

    public void RollbackToSavepoint() => _rollbackToSavepoint.ExecuteNonQuery();

    /// <summary>True when inserted; false when a record with the same (tenant, call_id) exists.</summary>
    public bool InsertApproval(in SqliteApprovalRow row, long createdMs, long nowMs)
    {
        var p = _insertApproval.Parameters;
        p[0].Value = row.Id;
        p[1].Value = row.Tenant;
        p[2].Value = row.CallId;
        p[3].Value = (int)row.State;
        p[4].Value = row.Pool;
        p[5].Value = row.DeadlineMs;
        p[6].Value = createdMs;
        p[7].Value = row.Seq;
        p[8].Value = row.Data;
        p[9].Value = nowMs;
        return _insertApproval.ExecuteNonQuery() == 1;
    }

    public StoredApproval? SelectByKey(string tenant, string callId)
    {
        _selectByKey.Parameters[0].Value = tenant;
        _selectByKey.Parameters[1].Value = callId;
        using var reader = _selectByKey.ExecuteReader();
        return reader.Read() ? StoredApproval.Parser.ParseFrom((byte[])reader.GetValue(0)) : null;
    }

    /// <summary>True when the stored seq was <paramref name="expectedSeq"/> and the row was replaced.</summary>
    public bool UpdateApproval(in SqliteApprovalRow row, long expectedSeq, long nowMs)
    {
        var p = _updateApproval.Parameters;
        p[0].Value = (int)row.State;
        p[1].Value = row.Pool;
        p[2].Value = row.DeadlineMs;
        p[3].Value = row.Seq;
        p[4].Value = row.Data;
        p[5].Value = nowMs;
        p[6].Value = row.Id;
        p[7].Value = expectedSeq;
        return _updateApproval.ExecuteNonQuery() == 1;
    }

    public (long Seq, string Hash) ReadHead()
    {
        using var reader = _readHead.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : (0, Audit.AuditChain.Genesis);
    }

    public void InsertAudit(AuditEvent sealedEntry, long atMs)
    {
        var p = _insertAudit.Parameters;
        p[0].Value = sealedEntry.Seq;
        p[1].Value = sealedEntry.ApprovalId;
        p[2].Value = atMs;
        p[3].Value = sealedEntry.Hash;
        p[4].Value = sealedEntry.ToByteArray();
        _insertAudit.ExecuteNonQuery();
    }

    public bool InsertToken(string jti, long expiresMs)
    {
        _insertToken.Parameters[0].Value = jti;
        _insertToken.Parameters[1].Value = expiresMs;
        return _insertToken.ExecuteNonQuery() == 1;
    }

    public int Prune(long olderThanMs, long nowMs)
    {
        _pruneApprovals.Parameters[0].Value = olderThanMs;
        var deleted = _pruneApprovals.ExecuteNonQuery();
        _pruneTokens.Parameters[0].Value = nowMs;
        _pruneTokens.ExecuteNonQuery();
        return deleted;
    }

    public void Dispose()
    {
        foreach (var command in new[]
        {
            _begin, _commit, _rollback, _savepoint, _release, _rollbackToSavepoint, _insertApproval, _selectByKey,
            _updateApproval, _readHead, _insertAudit, _insertToken, _pruneApprovals, _pruneTokens,
        })
        {
            command.Dispose();
        }
    }
}
