using Gate.V1;
using GateSidecar.Approvals.Stored;

namespace GateSidecar.Approvals;

/// <summary>
/// A change decided by <see cref="ApprovalStateMachine"/>: the new record (seq already advanced)
/// and the audit entries to append with it. Persisting it is the store's job.
/// </summary>
internal sealed record Transition(StoredApproval Record, long ExpectedSeq, IReadOnlyList<AuditEvent> Audit)
{
    /// <summary>ALLOWED or APPROVED: the caller must sign a token before persisting.</summary>
    public bool NeedsToken => Record.Approval.State is ApprovalState.Allowed or ApprovalState.Approved;
}
