namespace GateSidecar.Approvals.Sqlite;

/// <summary>
/// The tables. <c>data</c> holds the <c>StoredApproval</c> / <c>AuditEvent</c> protobuf bytes; the
/// other columns are the indexes the queries need. States 1 and 2 are PENDING and ESCALATED.
/// <c>audit_checkpoint</c> holds at most one row: the signed checkpoint of the pruned head of the chain.
/// <c>approvals</c> is a rowid table: rows are numbered in the order they were inserted, which is
/// the order of <c>created_ms</c> as long as the clock does not step back (see
/// <see cref="SqliteWriteCommands.PruneApprovals"/>).
/// </summary>
internal static class SqliteSchema
{
    public const int Version = 1;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS approvals (
            id          TEXT    NOT NULL PRIMARY KEY,
            tenant      TEXT    NOT NULL,
            call_id     TEXT    NOT NULL,
            state       INTEGER NOT NULL,
            pool        TEXT    NOT NULL,
            deadline_ms INTEGER NOT NULL,
            created_ms  INTEGER NOT NULL,
            seq         INTEGER NOT NULL,
            data        BLOB    NOT NULL,
            updated_ms  INTEGER NOT NULL,
            UNIQUE (tenant, call_id)
        );
        CREATE INDEX IF NOT EXISTS approvals_pending_by_pool
            ON approvals (pool, created_ms, id) WHERE state IN (1, 2);
        CREATE INDEX IF NOT EXISTS approvals_pending_by_deadline
            ON approvals (deadline_ms, id) WHERE state IN (1, 2) AND deadline_ms > 0;
        -- Retention finds old terminal records by rowid (insertion order) instead of an index on
        -- updated_ms, which cost a b-tree insert on every terminal write; files made before that
        -- lose the index when they are opened.
        DROP INDEX IF EXISTS approvals_terminal_by_updated;

        CREATE TABLE IF NOT EXISTS audit (
            seq         INTEGER NOT NULL PRIMARY KEY,
            approval_id TEXT    NOT NULL,
            at_ms       INTEGER NOT NULL,
            hash        TEXT    NOT NULL,
            data        BLOB    NOT NULL
        );
        CREATE INDEX IF NOT EXISTS audit_by_approval ON audit (approval_id, seq);

        CREATE TABLE IF NOT EXISTS used_tokens (
            jti        TEXT    NOT NULL PRIMARY KEY,
            expires_ms INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS used_tokens_by_expiry ON used_tokens (expires_ms);

        CREATE TABLE IF NOT EXISTS audit_checkpoint (
            id          INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            through_seq INTEGER NOT NULL,
            hash        TEXT    NOT NULL,
            at_ms       INTEGER NOT NULL,
            kid         TEXT    NOT NULL,
            signature   TEXT    NOT NULL
        );
        """;
}
