using System.Collections.Concurrent;

namespace GateSidecar.Approvals.Redis;

/// <summary>
/// The records this process wrote, by (approval id, seq), so that the announcement of each can carry
/// the record and its deadline as the SQLite store's changes do: listeners then skip the re-read and
/// the deadline scheduler sleeps through a deadline later than its planned wake. A change is matched
/// only to a write known to be this record: a pending creation from the moment it is sent (its id
/// is new: no other writer can commit that id), an update once the script reported it applied (the
/// compare-and-set makes (id, seq) name one record). An announcement that arrives before its update's
/// reply goes out without the record, and listeners read it as for another sidecar's change.
/// Bounded: beyond <see cref="Capacity"/> the oldest are forgotten (their changes are then re-read).
/// </summary>
internal sealed class RedisOwnWrites
{
    public const int Capacity = 8192;

    private readonly ConcurrentDictionary<(string Id, long Seq), (byte[] Data, long DeadlineMs)> _records = new();
    private readonly ConcurrentQueue<(string Id, long Seq)> _order = new();
    private long _attached;
    private long _missed;

    /// <summary>Announcements that carried this process's record / that went out without one.</summary>
    public (long Attached, long Missed) Counts => (Interlocked.Read(ref _attached), Interlocked.Read(ref _missed));

    public void Add(string approvalId, long seq, byte[] data, long deadlineMs)
    {
        if (!_records.TryAdd((approvalId, seq), (data, deadlineMs)))
        {
            return;
        }

        _order.Enqueue((approvalId, seq));
        while (_order.Count > Capacity && _order.TryDequeue(out var oldest))
        {
            _records.TryRemove(oldest, out _);
        }
    }

    /// <summary>A write that did not commit (or may not have): its change, if any, is not ours to fill.</summary>
    public void Forget(string approvalId, long seq) => _records.TryRemove((approvalId, seq), out _);

    /// <summary>The change with this process's record and deadline when it wrote it; otherwise unchanged.</summary>
    public ApprovalChange Fill(ApprovalChange change)
    {
        if (change.Data is not null)
        {
            return change;
        }

        if (!_records.TryRemove((change.ApprovalId, change.Seq), out var own))
        {
            Interlocked.Increment(ref _missed);
            return change;
        }

        Interlocked.Increment(ref _attached);
        return change with { Data = own.Data, DeadlineUnixMs = StoreConventions.IsPending(change.State) ? own.DeadlineMs : 0 };
    }
}
