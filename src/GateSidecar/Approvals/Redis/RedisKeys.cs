using System.Globalization;
using StackExchange.Redis;

namespace GateSidecar.Approvals.Redis;

/// <summary>
/// Key layout. Every key starts with the hash-tagged prefix <c>{gate}</c>, so every script's keys
/// share one cluster slot (the trade-off: one Gate deployment lives on one shard).
/// <list type="bullet">
/// <item><c>{gate}:a:&lt;id&gt;</c> hash: d (StoredApproval bytes), s (seq), st (state), p (pool), m (pending-list member), k (idempotency key)</item>
/// <item><c>{gate}:k:&lt;len&gt;:&lt;tenant&gt;:&lt;call_id&gt;</c> string: the approval id (create-if-absent)</item>
/// <item><c>{gate}:pool:&lt;pool&gt;</c> sorted set (score 0) of <c>&lt;created ms, 19 digits&gt;:&lt;id&gt;</c>: pending by pool, oldest first</item>
/// <item><c>{gate}:due</c> sorted set of ids by deadline ms: pending with a deadline</item>
/// <item><c>{gate}:audit</c> hash seq → <c>&lt;at ms&gt;:&lt;AuditEvent bytes&gt;</c>; <c>{gate}:audit:head</c> hash s, h (chain head)</item>
/// <item><c>{gate}:audit:ap:&lt;id&gt;</c> sorted set of the approval's audit seqs</item>
/// <item><c>{gate}:audit:turn</c> string with a short TTL: the writer whose turn it is to append after losing a race</item>
/// <item><c>{gate}:audit:checkpoint</c> hash s, h, at, kid, sig: the signed checkpoint of the pruned head of the chain</item>
/// <item><c>{gate}:t:&lt;jti&gt;</c> string with a TTL: used token ids</item>
/// <item><c>{gate}:changelog</c> stream, trimmed to about <see cref="RedisStoreOptions.ChangeLogLength"/> entries: field c, each committed change (what the channel carries after the entry id)</item>
/// <item>channel <c>{gate}:changes</c>: committed changes, <c>&lt;change log entry id&gt;:&lt;change&gt;</c></item>
/// </list>
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    public string Prefix { get; } = "{" + prefix + "}";

    public RedisKey AuditHead => Prefix + ":audit:head";

    /// <summary>Which writer appends next after losing a race for the head (a short lease; see <see cref="RedisScripts.Apply"/>).</summary>
    public RedisKey AuditTurn => Prefix + ":audit:turn";

    public RedisKey Audit => Prefix + ":audit";

    public RedisKey AuditCheckpoint => Prefix + ":audit:checkpoint";

    public RedisKey Due => Prefix + ":due";

    public RedisKey ChangeLog => Prefix + ":changelog";

    public RedisChannel Changes => new(Prefix + ":changes", RedisChannel.PatternMode.Literal);

    /// <summary>Subscribed and left at once, only to make a round trip on the subscription connection.</summary>
    public RedisChannel SubscriptionProbe => new(Prefix + ":subscription-probe", RedisChannel.PatternMode.Literal);

    public RedisKey Approval(string id) => Prefix + ":a:" + id;

    public RedisKey Token(string jti) => Prefix + ":t:" + jti;

    /// <summary>The idempotency key's tail: the tenant is length-prefixed so no separator is ambiguous.</summary>
    public static string IdempotencyTail(string tenant, string callId) =>
        string.Create(CultureInfo.InvariantCulture, $"{tenant.Length}:{tenant}:{callId}");

    /// <summary>The pending-list member: fixed-width creation time, so byte order is time order.</summary>
    public static string PoolMember(long createdMs, string id) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, createdMs):D19}:{id}");
}
