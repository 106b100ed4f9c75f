namespace GateSidecar.Approvals.Redis;

/// <summary>Where the Redis store lives and how long it waits; the defaults are the production choice.</summary>
internal sealed class RedisStoreOptions
{
    /// <summary>
    /// The server, as given to <c>--redis</c>: <c>HOST:PORT</c>, optionally followed by
    /// StackExchange.Redis options (<c>127.0.0.1:6379,password=…</c>).
    /// </summary>
    public required string Configuration { get; init; }

    /// <summary>
    /// Every key starts with <c>{KeyPrefix}:</c>. The braces make the prefix a hash tag, so all the
    /// keys one script touches live in one cluster slot.
    /// </summary>
    public string KeyPrefix { get; init; } = "gate";

    /// <summary>How long a record (and its idempotency key) is kept once it is no longer pending.</summary>
    public TimeSpan TerminalRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How long a used token id is kept after the token expires (clock skew between sidecars).</summary>
    public TimeSpan TokenRetentionMargin { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The longest any call waits for Redis before it fails with <see cref="StoreUnavailableException"/>.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// About how many changes the change log keeps for subscribers that lost their subscription
    /// connection for a while (roughly 10 MB at the default; about 10 s of changes at 10,000 writes/s).
    /// </summary>
    public int ChangeLogLength { get; init; } = DefaultChangeLogLength;

    public const int DefaultChangeLogLength = 100_000;

    /// <summary>The most writes sent in one script call.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>How often a write re-seals its audit entries when other sidecars keep moving the chain head.</summary>
    public int MaxChainRetries { get; init; } = 64;
}
