namespace GateSidecar.Policy;

/// <summary>Policy log messages; event ids 1100–1199 are reserved for the policy engine.</summary>
internal static partial class PolicyLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Policy {Version} loaded from {Path}: {RuleCount} rules")]
    public static partial void PolicyLoaded(ILogger logger, string version, string path, int ruleCount);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Policy {Version} loaded from {Path}: {RuleCount} rules, replacing {PreviousVersion}")]
    public static partial void PolicyReloaded(ILogger logger, string version, string path, int ruleCount, string previousVersion);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Policy reload from {Path} failed; version {Version} stays in force. {ErrorCount} error(s):\n{Errors}")]
    public static partial void PolicyReloadFailed(ILogger logger, string path, string version, int errorCount, string errors);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Watching {Path} for changes failed; polling every {PollInterval} continues")]
    public static partial void PolicyWatchFailed(ILogger logger, string path, TimeSpan pollInterval, Exception exception);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "A handler of the policy Changed event failed for version {Version}")]
    public static partial void PolicyChangedHandlerFailed(ILogger logger, string version, Exception exception);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "Checking {Path} for policy changes failed unexpectedly")]
    public static partial void PolicyReloadCrashed(ILogger logger, string path, Exception exception);
}
