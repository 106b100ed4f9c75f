namespace GateSidecar.Approvals;

/// <summary>
/// The in-process list of <see cref="IApprovalStore.Subscribe"/> callbacks. Publishing reads a
/// copy-on-write array, so subscribing never blocks the writer that publishes.
/// </summary>
internal sealed class ApprovalChangeFanout
{
    private readonly Lock _lock = new();
    private Action<ApprovalChange>[] _subscribers = [];

    public IDisposable Subscribe(Action<ApprovalChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        var subscription = new Subscription(this, onChange);
        lock (_lock)
        {
            _subscribers = [.. _subscribers, subscription.Invoke];
        }

        return subscription;
    }

    /// <summary>Calls every subscriber; one that throws is reported and does not stop the others.</summary>
    public void Publish(ApprovalChange change, Action<Exception> onSubscriberError)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            try
            {
                subscriber(change);
            }
            catch (Exception ex)
            {
                onSubscriberError(ex);
            }
        }
    }

    private void Remove(Action<ApprovalChange> invoke)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_subscribers, invoke);
            if (index >= 0)
            {
                _subscribers = [.. _subscribers[..index], .. _subscribers[(index + 1)..]];
            }
        }
    }

    private sealed class Subscription(ApprovalChangeFanout owner, Action<ApprovalChange> onChange) : IDisposable
    {
        private int _disposed;

        public void Invoke(ApprovalChange change)
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                onChange(change);
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Remove(Invoke);
            }
        }
    }
}
