using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvals.Sqlite;

internal static partial class SqliteStoreLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Opened {Database} (synchronous={Synchronous}, journal={Journal}).")]
    public static partial void Opened(ILogger logger, string database, string synchronous, string journal);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "A batch of {Count} writes to {Database} failed and was rolled back.")]
    public static partial void BatchFailed(ILogger logger, int count, string database, Exception exception);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Rolling back a failed batch on {Database} failed.")]
    public static partial void RollbackFailed(ILogger logger, string database, Exception exception);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "An approval change subscriber threw; the other subscribers were still called.")]
    public static partial void SubscriberFailed(ILogger logger, Exception exception);
}
