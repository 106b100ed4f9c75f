namespace GateSidecar.Hosting;

internal static partial class GateAppLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "signing key {Kid} from {Source}{Note}")]
    public static partial void SigningKey(ILogger logger, string kid, string source, string note);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "policy version {Version} loaded from {Path}; store {Store}")]
    public static partial void Started(ILogger logger, string version, string path, string store);
}
