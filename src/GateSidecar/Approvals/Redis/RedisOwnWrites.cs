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
/// An update whose announcement already went out is not kept (the announcements seen without a
/// record are remembered, a bounded number of them, for that; an update added at the very moment
/// its announcement goes out bare may stay until the bound drops it, and is never attached, since
/// no other change has that id and seq). Bounded: beyond
/// <see cref="Capacity"/> the oldest are forgotten (their changes are then re-read).
/// </summary>
internal sealed class RedisOwnWrites
{
    public const int Capacity = 8192;

    private readonly ConcurrentDictionary<(string Id, long Seq), (byte[] Data, long DeadlineMs)> _records = new();
    private readonly ConcurrentQueue<(string Id, long Seq)> _order = new();
    private readonly ConcurrentDictionary<(string Id, long Seq), byte> _announcedBare = new();
    private readonly ConcurrentQueue<(string Id, long Seq)> _announcedOrder = new();
    private long _attached;
    private long _missed;

    /// <summary>Announcements that carried this process's record / that went out without one.</summary>
    public (long Attached, long Missed) Counts => (Interlocked.Read(ref _attached), Interlocked.Read(ref _missed));

    public void Add(string approvalId, long seq, byte[] data, long deadlineMs)
    {
        var key = (approvalId, seq);
        if (_announcedBare.TryRemove(key, out _) || !_records.TryAdd(key, (data, deadlineMs)))
        {
            return;
        }

        Bounded(_order, key, _records);
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

        var key = (change.ApprovalId, change.Seq);
        if (!_records.TryRemove(key, out var own))
        {
            if (_announcedBare.TryAdd(key, 0))
            {
                Bounded(_announcedOrder, key, _announcedBare);
            }

            Interlocked.Increment(ref _missed);
            return change;
        }

        Interlocked.Increment(ref _attached);
        return change with { Data = own.Data, DeadlineUnixMs = StoreConventions.IndexedDeadlineMs(change.State, own.DeadlineMs) };
    }

    private static void Bounded<T>(ConcurrentQueue<(string Id, long Seq)> order, (string Id, long Seq) key, ConcurrentDictionary<(string Id, long Seq), T> items)
    {
        order.Enqueue(key);
        while (order.Count > Capacity && order.TryDequeue(out var oldest))
        {
            items.TryRemove(oldest, out _);
        }
    }
}
