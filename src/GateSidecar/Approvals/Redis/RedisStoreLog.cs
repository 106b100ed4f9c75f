using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvals.Redis;

internal static partial class RedisStoreLog
{
    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Redis at {Endpoint} is not reachable yet; calls fail as unavailable until it answers, and the connection is retried every second.")]
    public static partial void StartedDisconnected(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Lost the {ConnectionType} connection to redis at {Endpoint} ({FailureType}); reconnecting.")]
    public static partial void ConnectionFailed(ILogger logger, string endpoint, string connectionType, string failureType, Exception? exception);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "Restored the {ConnectionType} connection to redis at {Endpoint}.")]
    public static partial void ConnectionRestored(ILogger logger, string endpoint, string connectionType);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Error, Message = "An approval change subscriber threw; the other subscribers were still called.")]
    public static partial void SubscriberFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Warning, Message = "Ignored a malformed change message on {Channel}.")]
    public static partial void MalformedChange(ILogger logger, string channel);

    [LoggerMessage(EventId = 3206, Level = LogLevel.Warning, Message = "Subscribing to {Channel} on redis at {Endpoint} failed; trying again.")]
    public static partial void SubscribeFailed(ILogger logger, string channel, string endpoint, Exception exception);

    [LoggerMessage(EventId = 3207, Level = LogLevel.Warning, Message = "Writing a batch of {Count} writes to redis at {Endpoint} failed.")]
    public static partial void BatchFailed(ILogger logger, int count, string endpoint, Exception exception);

    [LoggerMessage(EventId = 3209, Level = LogLevel.Information, Message = "Subscribed to {Channel} on redis at {Endpoint} again.")]
    public static partial void Resubscribed(ILogger logger, string channel, string endpoint);

    [LoggerMessage(EventId = 3210, Level = LogLevel.Warning, Message = "Not subscribed to {Channel} on redis at {Endpoint} after {Seconds}s; starting anyway. Changes written before the subscription is bound are not seen here (waiting calls re-read every 2 s).")]
    public static partial void NotSubscribedYet(ILogger logger, string channel, string endpoint, double seconds);

    [LoggerMessage(EventId = 3211, Level = LogLevel.Warning, Message = "The change log {Key} no longer reaches back to entry {Delivered}, the last delivered here (it starts at {First} and keeps about {Length} entries): changes committed while the subscription was down may not have been delivered here. Approver streams, the console's live feed, the pending gauge and chat notifications read the open approvals again; waiting calls re-read every 2 s.")]
    public static partial void ChangesTrimmed(ILogger logger, string key, string delivered, string first, int length);

    [LoggerMessage(EventId = 3212, Level = LogLevel.Error, Message = "Subscribing to changes or reading the change log {Key} on redis at {Endpoint} failed; changes are held here until it succeeds, retried every second.")]
    public static partial void CatchUpFailed(ILogger logger, string key, string endpoint, Exception exception);

    [LoggerMessage(EventId = 3213, Level = LogLevel.Warning, Message = "Removed {Count} deadline entries whose approval record is gone or no longer open (changed outside Gate, or evicted: check maxmemory-policy is noeviction): {Ids}")]
    public static partial void DeadlinesWithoutRecord(ILogger logger, int count, string ids);

    [LoggerMessage(EventId = 3208, Level = LogLevel.Debug, Message = "The audit chain head moved (now {HeadSeq}); re-sealing {Count} writes.")]
    public static partial void ChainMoved(ILogger logger, long headSeq, int count);
}
