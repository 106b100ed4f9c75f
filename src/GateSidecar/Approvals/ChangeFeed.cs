using System.Collections.Concurrent;
using System.Threading.Channels;

namespace GateSidecar.Approvals;

/// <summary>
/// Fans the store's committed changes out to the streams that wait for them (Guard, Watch,
/// StreamPending), in this process. A store publishes each change once per process.
/// </summary>
internal sealed class ChangeFeed : IDisposable
{
    // The listeners of each approval (usually one: its Guard stream), replaced whole under
    // _byApprovalWrites and read without it.
    private readonly ConcurrentDictionary<string, ChangeListener[]> _byApproval = new(StringComparer.Ordinal);
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
            _byApproval[approvalId] = _byApproval.TryGetValue(approvalId, out var others) ? [.. others, listener] : [listener];
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

        // Under the same lock as Listen: otherwise a listener added between this removal's read and
        // its write would be dropped with the old list and never hear of a change (its stream
        // falling back to the 2 s re-read). Publishing reads the lists without it.
        lock (_byApprovalWrites)
        {
            if (_byApproval.TryGetValue(listener.ApprovalId, out var listeners) && Array.IndexOf(listeners, listener) is var index and >= 0)
            {
                if (listeners.Length == 1)
                {
                    _byApproval.TryRemove(listener.ApprovalId, out _);
                }
                else
                {
                    _byApproval[listener.ApprovalId] = [.. listeners[..index], .. listeners[(index + 1)..]];
                }
            }
        }
    }

    private void OnChange(ApprovalChange change)
    {
        if (_byApproval.TryGetValue(change.ApprovalId, out var listeners))
        {
            foreach (var listener in listeners)
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
