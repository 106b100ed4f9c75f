using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Redis;
using GateSidecar.Tests.Infrastructure;
using Google.Protobuf;
using StackExchange.Redis;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>Tampering with the Redis keys through plain Redis commands.</summary>
public sealed class RedisAuditTamperTests(RedisServerFixture redis) : AuditTamperTests, IClassFixture<RedisServerFixture>
{
    private readonly string _prefix = "tamper-" + Guid.NewGuid().ToString("N");

    private string AuditKey => "{" + _prefix + "}:audit";

    private string CheckpointKey => "{" + _prefix + "}:audit:checkpoint";

    private protected override IApprovalStore NewStore() =>
        new RedisApprovalStore(new RedisStoreOptions { Configuration = redis.Server.Endpoint, KeyPrefix = _prefix }, Clock, new TestOutputLogger<RedisApprovalStore>());

    private protected override async Task RewriteEntryAsync(long seq, Action<AuditEvent> change)
    {
        using var connection = await ConnectAsync();
        var db = connection.GetDatabase();
        byte[] value = (await db.HashGetAsync(AuditKey, seq))!;
        var colon = Array.IndexOf(value, (byte)':');
        var entry = AuditEvent.Parser.ParseFrom(value.AsSpan(colon + 1).ToArray());
        change(entry);
        byte[] rewritten = [.. value.AsSpan(0, colon + 1), .. entry.ToByteArray()];
        await db.HashSetAsync(AuditKey, seq, rewritten);
    }

    private protected override async Task DeleteEntryAsync(long seq)
    {
        using var connection = await ConnectAsync();
        Assert.True(await connection.GetDatabase().HashDeleteAsync(AuditKey, seq));
    }

    private protected override async Task SwapEntriesAsync(long first, long second)
    {
        using var connection = await ConnectAsync();
        var db = connection.GetDatabase();
        var a = await db.HashGetAsync(AuditKey, first);
        var b = await db.HashGetAsync(AuditKey, second);
        await db.HashSetAsync(AuditKey, [new HashEntry(first, b), new HashEntry(second, a)]);
    }

    private protected override async Task RewriteCheckpointHashAsync(string hash)
    {
        using var connection = await ConnectAsync();
        await connection.GetDatabase().HashSetAsync(CheckpointKey, "h", hash);
    }

    private protected override async Task DeleteCheckpointAsync()
    {
        using var connection = await ConnectAsync();
        Assert.True(await connection.GetDatabase().KeyDeleteAsync(CheckpointKey));
    }

    private Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(redis.Server.Endpoint).WaitAsync(Timeout, Ct);
}
