using System.Globalization;
using Gate.V1;
using GateSidecar.Approvals.Stored;

namespace GateSidecar.Approvals;

/// <summary>
/// The rules every <see cref="IApprovalStore"/> applies the same way: what counts as pending, input
/// validation, page sizes and the page-token formats (so a token means the same in both stores).
/// </summary>
internal static class StoreConventions
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>PENDING and ESCALATED records are listed, indexed by pool and deadline, and decidable.</summary>
    public static bool IsPending(ApprovalState state) =>
        state is ApprovalState.Pending or ApprovalState.Escalated;

    /// <summary>
    /// The deadline a store indexes for a record in <paramref name="state"/>: its own while it is
    /// pending or escalated, none (0) once closed. Changes carry this one (ApprovalChange.DeadlineUnixMs).
    /// </summary>
    public static long IndexedDeadlineMs(ApprovalState state, long deadlineUnixMs) =>
        IsPending(state) ? deadlineUnixMs : 0;

    /// <summary>Unix milliseconds of <paramref name="at"/>, or 0 for instants before 1970 (e.g. <see cref="DateTimeOffset.MinValue"/>).</summary>
    public static long UnixMsAtLeastZero(DateTimeOffset at) =>
        at <= DateTimeOffset.UnixEpoch ? 0 : at.ToUnixTimeMilliseconds();

    /// <summary>A page size of 0 or less means the default; larger than the maximum is capped.</summary>
    public static int ClampPageSize(int requested) =>
        requested <= 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);

    public static void ValidateForCreate(StoredApproval record, IReadOnlyList<AuditEvent> audit)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(audit);
        ValidateIdentity(record);
        if (string.IsNullOrEmpty(record.Approval.Request?.CallId))
        {
            throw new ArgumentException(
                "record.approval.request.call_id is required: with request.agent.tenant it is the idempotency key of the record.",
                nameof(record));
        }
    }

    public static void ValidateForUpdate(StoredApproval record, long expectedSeq, IReadOnlyList<AuditEvent> audit)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(audit);
        ValidateIdentity(record);
        if (record.Approval.Seq <= expectedSeq)
        {
            throw new ArgumentException(
                $"record.approval.seq ({record.Approval.Seq}) must be greater than expectedSeq ({expectedSeq}): set the new version before writing.",
                nameof(record));
        }
    }

    /// <summary>The tenant half of the idempotency key (an absent agent context is the empty tenant).</summary>
    public static string Tenant(StoredApproval record) => record.Approval.Request?.Agent?.Tenant ?? string.Empty;

    /// <summary>Creation time in Unix milliseconds: orders the pending lists (oldest first).</summary>
    public static long CreatedUnixMs(StoredApproval record, TimeProvider time) =>
        record.Approval.CreatedAt is { } created
            ? created.ToDateTimeOffset().ToUnixTimeMilliseconds()
            : time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Audit drafts belong to the record they are written with: an empty approval id takes the
    /// record's, an absent time takes now. Returns each entry's time in Unix milliseconds.
    /// </summary>
    public static long[] PrepareAudit(IReadOnlyList<AuditEvent> audit, string approvalId, TimeProvider time)
    {
        var at = new long[audit.Count];
        for (var i = 0; i < audit.Count; i++)
        {
            var entry = audit[i] ?? throw new ArgumentException($"audit[{i}] is null.", nameof(audit));
            if (entry.ApprovalId.Length == 0)
            {
                entry.ApprovalId = approvalId;
            }

            entry.At ??= Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(time.GetUtcNow());
            at[i] = entry.At.ToDateTimeOffset().ToUnixTimeMilliseconds();
        }

        return at;
    }

    /// <summary>Pending pages are keyed by (created ms, id): the token is the last item's key.</summary>
    public static string FormatPendingToken(long createdMs, string approvalId) =>
        string.Create(CultureInfo.InvariantCulture, $"{createdMs}:{approvalId}");

    public static (long CreatedMs, string ApprovalId) ParsePendingToken(string token)
    {
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == token.Length - 1 ||
            !long.TryParse(token.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var createdMs))
        {
            throw new ArgumentException(
                $"page token '{token}' was not issued by this store: pass the next_page_token of the previous page, or none for the first page.",
                nameof(token));
        }

        return (createdMs, token[(colon + 1)..]);
    }

    /// <summary>Audit pages are keyed by seq: the token is the last seq already returned (or scanned).</summary>
    public static string FormatAuditToken(long seq) => seq.ToString(CultureInfo.InvariantCulture);

    public static long ParseAuditToken(string token)
    {
        if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            throw new ArgumentException(
                $"page token '{token}' was not issued by this store: pass the next_page_token of the previous page, or none for the first page.",
                nameof(token));
        }

        return seq;
    }

    private static void ValidateIdentity(StoredApproval record)
    {
        if (record.Approval is null)
        {
            throw new ArgumentException("record.approval is required.", nameof(record));
        }

        if (record.Approval.ApprovalId.Length == 0)
        {
            throw new ArgumentException("record.approval.approval_id is required.", nameof(record));
        }
    }
}
