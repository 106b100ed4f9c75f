namespace GateSidecar.Approvers.Notifications;

/// <summary>Counts of the notification queue, for operators and tests: a failing receiver shows here, never in the approval flow.</summary>
internal sealed class NotificationStats
{
    private long _queued;
    private long _delivered;
    private long _failedAttempts;
    private long _gaveUp;
    private long _dropped;

    /// <summary>Bodies put on the queue (first attempts only).</summary>
    public long Queued => Interlocked.Read(ref _queued);

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Attempts that failed (each retry that fails counts again).</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    /// <summary>Bodies abandoned after their last attempt, or refused by the receiver for good.</summary>
    public long GaveUp => Interlocked.Read(ref _gaveUp);

    /// <summary>Bodies not queued because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal void OnQueued() => Interlocked.Increment(ref _queued);

    internal void OnDelivered() => Interlocked.Increment(ref _delivered);

    internal void OnFailedAttempt() => Interlocked.Increment(ref _failedAttempts);

    internal void OnGaveUp() => Interlocked.Increment(ref _gaveUp);

    internal void OnDropped() => Interlocked.Increment(ref _dropped);
}
