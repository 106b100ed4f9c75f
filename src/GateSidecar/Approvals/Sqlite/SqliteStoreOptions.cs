namespace GateSidecar.Approvals.Sqlite;

/// <summary>Tuning of <see cref="SqliteApprovalStore"/>; the defaults are the production choice.</summary>
internal sealed class SqliteStoreOptions
{
    /// <summary>
    /// <c>true</c> (default): <c>synchronous=FULL</c>, every commit is fsynced before it is
    /// acknowledged, so it survives a power loss as well as a process kill. <c>false</c>:
    /// <c>synchronous=NORMAL</c>, commits survive a process kill but the last ones can be lost
    /// when the operating system crashes. Group commit makes FULL affordable.
    /// </summary>
    public bool SyncEveryCommit { get; init; } = true;

    /// <summary>How long a write waits for a lock held by another process before failing.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The most writes committed in one transaction.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>How long a used token id is kept after the token expires (clock skew between hosts).</summary>
    public TimeSpan TokenRetentionMargin { get; init; } = TimeSpan.FromMinutes(10);
}
