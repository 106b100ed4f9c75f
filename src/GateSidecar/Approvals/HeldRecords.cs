using GateSidecar.Approvals.Stored;

namespace GateSidecar.Approvals;

/// <summary>
/// Open approvals this sidecar just wrote, kept for the decision that usually follows: a
/// <c>Decide</c> takes the record held for its approval (once) instead of reading it from the store.
/// A held record may be stale (another sidecar or a timeout changed the approval since); the
/// compare-and-set on its seq then fails and the decision reads the record anew, and a decision's
/// check that fails on a held record is made again on a fresh read before it is answered, so a
/// stale record never decides and never refuses. Bounded: beyond <see cref="Capacity"/> the oldest
/// are dropped (their decisions read, as before).
/// </summary>
/// <remarks>
/// The record held is the written object itself, which nobody changes after its write (see
/// <see cref="IApprovalStore"/>): the Guard stream and the change's listeners keep that same object
/// until the decision, so holding it costs no copy and no parse, and keeps nothing alive longer.
/// </remarks>
internal sealed class HeldRecords
{
    public const int Capacity = 4096;

    private readonly RecentMap<string, StoredApproval> _records = new(Capacity, StringComparer.Ordinal);

    /// <summary>
    /// Holds <paramref name="record"/> when it is open; when it is closed (a closed approval takes no
    /// decision), lets go of what was held for it, so an approval that expired is not kept until
    /// newer ones push it out.
    /// </summary>
    public void Hold(StoredApproval record)
    {
        if (ApprovalStates.IsOpen(record.Approval.State))
        {
            _records.Set(record.Approval.ApprovalId, record);
        }
        else
        {
            _records.TryRemove(record.Approval.ApprovalId, out _);
        }
    }

    /// <summary>The record held for <paramref name="approvalId"/>, taken (null when none); read it, never change it.</summary>
    public StoredApproval? Take(string approvalId) => _records.TryRemove(approvalId, out var record) ? record : null;

    public int Count => _records.Count;
}
