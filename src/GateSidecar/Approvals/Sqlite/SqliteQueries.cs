using Gate.V1;
using GateSidecar.Approvals.Stored;
using Microsoft.Data.Sqlite;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>The read side. Each query runs on a reader connection and sees committed data only.</summary>
internal static class SqliteQueries
{
    public static PendingPage ListPending(SqliteConnection connection, PendingQuery query)
    {
        using var command = SqliteApprovalStore.Command(
            connection,
            """
            SELECT created_ms, id, data FROM approvals
            WHERE state IN (1, 2)
              AND pool IN (SELECT value FROM json_each($pools))
              AND (created_ms > $after_created OR (created_ms = $after_created AND id > $after_id))
            ORDER BY created_ms, id
            LIMIT $limit;
            """,
            ("$pools", query.PoolsJson),
            ("$after_created", query.AfterCreatedMs),
            ("$after_id", query.AfterId),
            ("$limit", query.PageSize + 1));
        using var reader = command.ExecuteReader();
        var items = new List<StoredApproval>(Math.Min(query.PageSize, 64));
        string? next = null;
        long lastCreated = 0;
        while (reader.Read())
        {
            if (items.Count == query.PageSize)
            {
                var last = items[^1];
                next = StoreConventions.FormatPendingToken(lastCreated, last.Approval.ApprovalId);
                break;
            }

            lastCreated = reader.GetInt64(0);
            items.Add(StoredApproval.Parser.ParseFrom((byte[])reader.GetValue(2)));
        }

        return new PendingPage(items, next);
    }

    public static AuditPage ListAudit(SqliteConnection connection, AuditQuery query, long afterSeq)
    {
        var pageSize = StoreConventions.ClampPageSize(query.PageSize);
        var byApproval = !string.IsNullOrEmpty(query.ApprovalId);
        using var command = SqliteApprovalStore.Command(
            connection,
            $"""
            SELECT data FROM audit
            WHERE seq > $after
              {(byApproval ? "AND approval_id = $approval_id" : string.Empty)}
              AND at_ms >= $since AND at_ms < $until
            ORDER BY seq
            LIMIT $limit;
            """,
            ("$after", afterSeq),
            ("$approval_id", query.ApprovalId ?? string.Empty),
            ("$since", query.Since?.ToUnixTimeMilliseconds() ?? long.MinValue),
            ("$until", query.Until?.ToUnixTimeMilliseconds() ?? long.MaxValue),
            ("$limit", pageSize + 1));
        var events = ReadEvents(command, pageSize + 1);
        string? next = null;
        if (events.Count > pageSize)
        {
            events.RemoveAt(pageSize);
            next = StoreConventions.FormatAuditToken(events[^1].Seq);
        }

        return new AuditPage(events, next);
    }

    public static List<AuditEvent> AuditChunk(SqliteConnection connection, long afterSeq, int count)
    {
        using var command = SqliteApprovalStore.Command(
            connection,
            "SELECT data FROM audit WHERE seq > $after ORDER BY seq LIMIT $limit;",
            ("$after", afterSeq),
            ("$limit", count));
        return ReadEvents(command, count);
    }

    private static List<AuditEvent> ReadEvents(SqliteCommand command, int capacity)
    {
        using var reader = command.ExecuteReader();
        var events = new List<AuditEvent>(Math.Min(capacity, 256));
        while (reader.Read())
        {
            events.Add(AuditEvent.Parser.ParseFrom((byte[])reader.GetValue(0)));
        }

        return events;
    }
}
