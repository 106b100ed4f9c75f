namespace GateSidecar.Approvals.Redis;

/// <summary>
/// Hands the changes of the pub/sub channel to the store's subscribers in commit order, each once,
/// and fills the gap a lost subscription connection leaves from the change log. A change this process
/// wrote goes out with its record (<see cref="RedisOwnWrites"/>).
/// </summary>
/// <remarks>
/// From the start, and again from the moment the subscription connection is lost, channel messages
/// are held. Once the subscription is live again, the store reads the change log after the last
/// delivered entry (<see cref="CatchUpFrom"/>) up to the log's tail as it was when the read began
/// (<see cref="DeliverFromLog"/>), then <see cref="TryRelease"/> delivers the held messages and
/// stops holding. Every change
/// committed before the subscription was live is in the log; every one after it arrives on the
/// channel; entry ids, which grow in commit order, drop the ones seen twice. A loss during the
/// read makes <see cref="TryRelease"/> refuse, and the store reads again once subscribed.
/// </remarks>
internal sealed class RedisChangeDelivery(ApprovalChangeFanout subscribers, Action<Exception> onSubscriberError, RedisOwnWrites? ownWrites = null)
{
    /// <summary>Held messages beyond this are dropped and read from the log instead.</summary>
    private const int MaxHeld = 100_000;

    private readonly Lock _lock = new();
    private readonly List<(ChangeLogId Id, ApprovalChange Change, bool FromThisWriter)> _held = [];
    private ChangeLogId? _delivered;
    private bool _holding = true;
    private bool _heldOverflowed;
    private long _losses;

    /// <summary>Whether a catch-up has set where delivery stands (false until the first one).</summary>
    public bool HasStarted
    {
        get
        {
            lock (_lock)
            {
                return _delivered is not null;
            }
        }
    }

    /// <summary>Counts subscription losses; a catch-up releases only if none happened since it began.</summary>
    public long Losses
    {
        get
        {
            lock (_lock)
            {
                return _losses;
            }
        }
    }

    /// <summary>A channel message; <paramref name="fromThisWriter"/>: it names this process's writer.</summary>
    public void OnMessage(ChangeLogId id, ApprovalChange change, bool fromThisWriter = false)
    {
        lock (_lock)
        {
            if (!_holding)
            {
                DeliverLocked(id, change, fromThisWriter);
            }
            else if (_held.Count < MaxHeld)
            {
                _held.Add((id, change, fromThisWriter));
            }
            else
            {
                _heldOverflowed = true;
            }
        }
    }

    /// <summary>The subscription connection dropped: hold messages until the next catch-up.</summary>
    public void SubscriptionLost()
    {
        lock (_lock)
        {
            _holding = true;
            _losses++;
        }
    }

    /// <summary>
    /// Where a catch-up reads the log from: after the last entry delivered. On the first catch-up
    /// nothing was delivered, so nothing is missing: delivery starts after the log's
    /// <paramref name="tail"/>, or with the first held message if one arrived before it (every held
    /// message was committed after the subscription was live).
    /// </summary>
    public ChangeLogId CatchUpFrom(ChangeLogId tail)
    {
        lock (_lock)
        {
            _delivered ??= _held.Count > 0 && _held[0].Id <= tail ? _held[0].Id.Previous() : tail;
            return _delivered.Value;
        }
    }

    /// <summary>Delivers entries read from the change log, in order, skipping any already delivered.</summary>
    public void DeliverFromLog(IReadOnlyList<(ChangeLogId Id, ApprovalChange Change)> entries)
    {
        lock (_lock)
        {
            foreach (var (id, change) in entries)
            {
                DeliverLocked(id, change, fromThisWriter: false);
            }
        }
    }

    /// <summary>
    /// Tells the subscribers that changes were lost (the log no longer reached back to the last
    /// one delivered): <see cref="ApprovalChange.Resync"/>, after the entries the log still held
    /// and before the messages held meanwhile.
    /// </summary>
    public void DeliverResync()
    {
        lock (_lock)
        {
            subscribers.Publish(ApprovalChange.Resync, onSubscriberError);
        }
    }

    /// <summary>
    /// Ends a catch-up that began at loss count <paramref name="lossesAtStart"/>: delivers the held
    /// messages and stops holding. False, changing nothing, when the subscription was lost since or
    /// held messages were dropped: read the log again.
    /// </summary>
    public bool TryRelease(long lossesAtStart)
    {
        lock (_lock)
        {
            if (_losses != lossesAtStart)
            {
                return false;
            }

            if (_heldOverflowed)
            {
                _heldOverflowed = false;
                _held.Clear();
                return false;
            }

            foreach (var (id, change, fromThisWriter) in _held)
            {
                DeliverLocked(id, change, fromThisWriter);
            }

            _held.Clear();
            _holding = false;
            return true;
        }
    }

    private void DeliverLocked(ChangeLogId id, ApprovalChange change, bool fromThisWriter)
    {
        if (_delivered is { } delivered && id <= delivered)
        {
            return;
        }

        _delivered = id;
        subscribers.Publish(ownWrites is null ? change : ownWrites.Fill(change, fromThisWriter), onSubscriberError);
    }
}
