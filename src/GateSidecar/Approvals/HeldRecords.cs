using Google.Protobuf;
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
internal sealed class HeldRecords
{
    public const int Capacity = 4096;

    private readonly RecentMap<string, byte[]> _records = new(Capacity, StringComparer.Ordinal);

    /// <summary>Holds <paramref name="record"/> when it is open (a closed approval takes no decision).</summary>
    public void Hold(StoredApproval record)
    {
        if (!ApprovalStates.IsOpen(record.Approval.State))
        {
            return;
        }

        // A copy: what the caller does with its record afterwards never reaches a decision. Held as
        // its encoding, one flat array per approval instead of a graph of small objects that would
        // live until the decision (about a second) and be copied by every collection meanwhile.
        _records.Set(record.Approval.ApprovalId, record.ToByteArray());
    }

    /// <summary>The record held for <paramref name="approvalId"/>, taken (null when none).</summary>
    public StoredApproval? Take(string approvalId) => _records.TryRemove(approvalId, out var encoded) ? StoredApproval.Parser.ParseFrom(encoded) : null;

    public int Count => _records.Count;
}
