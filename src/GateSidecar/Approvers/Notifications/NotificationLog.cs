using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvers.Notifications;

internal static partial class NotificationLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Debug, Message = "notification {Event} of approval {ApprovalId} delivered to {Url} (attempt {Attempt})")]
    public static partial void Delivered(ILogger logger, string @event, string approvalId, Uri url, int attempt);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "notification {Event} of approval {ApprovalId} to {Url} failed (attempt {Attempt} of {Attempts}): {Detail}; retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string @event, string approvalId, Uri url, int attempt, int attempts, string detail, long delayMs);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Error, Message = "notification {Event} of approval {ApprovalId} to {Url} given up after {Attempt} attempt(s): {Detail}")]
    public static partial void GaveUp(ILogger logger, string @event, string approvalId, Uri url, int attempt, string detail);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Error, Message = "notification queue full ({Capacity}): dropped {Event} of approval {ApprovalId} to {Url}")]
    public static partial void Dropped(ILogger logger, int capacity, string @event, string approvalId, Uri url);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "notifications: could not read approval {ApprovalId}: {Detail}")]
    public static partial void ReadFailed(ILogger logger, string approvalId, string detail);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Information, Message = "notifications on for {Pools} pool(s), {Targets} receiver(s)")]
    public static partial void Started(ILogger logger, int pools, int targets);
}
