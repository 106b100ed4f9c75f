using Gate.V1;
using GateSidecar.Approvals.Stored;

namespace GateSidecar.Approvals;

/// <summary>
/// Copies of a record that share its messages and list elements with it: every scalar field is
/// carried over, every repeated field gets its own list holding the same elements, and every
/// message field points at the same message. Safe because nothing changes a record once it is
/// given to the store (see <see cref="IApprovalStore"/>): a copy may replace a field or its own
/// lists' contents, never change a shared message. RecordCopiesTests fills every field of both
/// protos, so a field added to them and forgotten here fails there.
/// </summary>
internal static class RecordCopies
{
    public static Approval Shallow(Approval approval)
    {
        var copy = new Approval
        {
            ApprovalId = approval.ApprovalId,
            State = approval.State,
            Tier = approval.Tier,
            Rule = approval.Rule,
            Reason = approval.Reason,
            PolicyVersion = approval.PolicyVersion,
            Request = approval.Request,
            Pool = approval.Pool,
            Quorum = approval.Quorum,
            CreatedAt = approval.CreatedAt,
            Deadline = approval.Deadline,
            EscalationLevel = approval.EscalationLevel,
            FinalArguments = approval.FinalArguments,
            Edited = approval.Edited,
            Token = approval.Token,
            Seq = approval.Seq,
        };
        copy.Decisions.Add(approval.Decisions);
        copy.Diff.Add(approval.Diff);
        copy.Impact.Add(approval.Impact);
        return copy;
    }

    /// <summary>The stored record with its approval copied by <see cref="Shallow(Approval)"/>.</summary>
    public static StoredApproval Shallow(StoredApproval record)
    {
        var copy = new StoredApproval
        {
            Approval = record.Approval is null ? null : Shallow(record.Approval),
            EscalateOnTimeout = record.EscalateOnTimeout,
            TokenJti = record.TokenJti,
            ArgsSha256 = record.ArgsSha256,
            DeadlineUnixMs = record.DeadlineUnixMs,
            BaseTier = record.BaseTier,
            CountFrom = record.CountFrom,
            LastActor = record.LastActor,
            UpdatedUnixMs = record.UpdatedUnixMs,
            TraceParent = record.TraceParent,
        };
        copy.Ladder.Add(record.Ladder);
        copy.Redact.Add(record.Redact);
        return copy;
    }
}
