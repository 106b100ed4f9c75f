using System.Collections.Concurrent;
using System.Threading.Channels;

namespace GateSidecar.Approvals;

/// <summary>
/// Fans the store's committed changes out to the streams that wait for them (Guard, Watch,
/// StreamPending), in this process. A store publishes each change once per process.
/// </summary>
internal sealed class ChangeFeed : IDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<ChangeListener, byte>> _byApproval = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ChangeListener, byte> _all = new();
    private readonly Lock _byApprovalWrites = new();
    private readonly IDisposable _subscription;

    public ChangeFeed(IApprovalStore store)
    {
        _subscription = store.Subscribe(OnChange);
    }

    /// <summary>Changes of one approval, from now on.</summary>
    public ChangeListener Listen(string approvalId)
    {
        var listener = new ChangeListener(this, approvalId);
        lock (_byApprovalWrites)
        {
            _byApproval.GetOrAdd(approvalId, static _ => new())[listener] = 0;
        }

        return listener;
    }

    /// <summary>Every change, from now on.</summary>
    public ChangeListener ListenAll()
    {
        var listener = new ChangeListener(this, null);
        _all[listener] = 0;
        return listener;
    }

    /// <summary>Approvals with at least one listener (a listener left behind shows here).</summary>
    internal int ListenedApprovals => _byApproval.Count;

    public void Dispose() => _subscription.Dispose();

    internal void Remove(ChangeListener listener)
    {
        if (listener.ApprovalId is null)
        {
            _all.TryRemove(listener, out _);
            return;
        }

        // Under the same lock as Listen: otherwise a listener added to a set that this removal found
        // empty would be dropped with it and never hear of a change (its stream falling back to
        // the 2 s re-read). Publishing reads the maps without it.
        lock (_byApprovalWrites)
        {
            if (_byApproval.TryGetValue(listener.ApprovalId, out var set))
            {
                set.TryRemove(listener, out _);
                if (set.IsEmpty)
                {
                    _byApproval.TryRemove(listener.ApprovalId, out _);
                }
            }
        }
    }

    private void OnChange(ApprovalChange change)
    {
        if (_byApproval.TryGetValue(change.ApprovalId, out var set))
        {
            foreach (var listener in set.Keys)
            {
                listener.Post(change);
            }
        }

        foreach (var listener in _all.Keys)
        {
            listener.Post(change);
        }
    }
}

/// <summary>One stream's queue of changes. Dispose to stop listening.</summary>
internal sealed class ChangeListener : IDisposable
{
    private readonly ChangeFeed _feed;
    private readonly Channel<ApprovalChange> _channel = Channel.CreateUnbounded<ApprovalChange>(new UnboundedChannelOptions { SingleReader = true });

    internal ChangeListener(ChangeFeed feed, string? approvalId)
    {
        _feed = feed;
        ApprovalId = approvalId;
    }

    public string? ApprovalId { get; }

    public ChannelReader<ApprovalChange> Reader => _channel.Reader;

    public void Dispose()
    {
        _feed.Remove(this);
        _channel.Writer.TryComplete();
    }

    internal void Post(ApprovalChange change) => _channel.Writer.TryWrite(change);
}
