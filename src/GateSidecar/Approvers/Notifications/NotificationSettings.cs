namespace GateSidecar.Approvers.Notifications;

/// <summary>How a notification body is shaped.</summary>
internal enum NotificationFormat
{
    /// <summary>The redacted approval card as JSON (proto field names, snake_case).</summary>
    Json,

    /// <summary>A Slack Block Kit message with buttons that open the console.</summary>
    Slack,
}

/// <summary>One receiver of a pool's notifications.</summary>
internal sealed record NotificationTarget(Uri Url, NotificationFormat Format, byte[]? Secret);

/// <summary>How deliveries are retried and bounded.</summary>
internal sealed record DeliverySettings
{
    /// <summary>Attempts per message, the first included.</summary>
    public int Attempts { get; init; } = 5;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages waiting per receiver; beyond this a new message is dropped (and counted).</summary>
    public int QueueCapacity { get; init; } = 1000;

    /// <summary>Deliveries in flight at once per receiver (each receiver has its own queue).</summary>
    public int Concurrency { get; init; } = 2;
}

/// <summary>The notifications file: receivers per pool, and delivery settings.</summary>
internal sealed record NotificationSettings(IReadOnlyDictionary<string, IReadOnlyList<NotificationTarget>> Pools, DeliverySettings Delivery)
{
    public static NotificationSettings None { get; } = new(new Dictionary<string, IReadOnlyList<NotificationTarget>>(), new DeliverySettings());

    public IReadOnlyList<NotificationTarget> TargetsFor(string pool) =>
        Pools.TryGetValue(pool, out var targets) ? targets : [];
}
