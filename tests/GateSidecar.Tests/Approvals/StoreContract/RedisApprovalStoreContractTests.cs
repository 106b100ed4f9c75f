using GateSidecar.Approvals.Redis;
using GateSidecar.Approvals;
using GateSidecar.Tests.Infrastructure;
using Xunit;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>The contract on a real redis-server; each test writes under its own key prefix.</summary>
public sealed class RedisApprovalStoreContractTests(RedisServerFixture redis) : ApprovalStoreContractTests, IClassFixture<RedisServerFixture>
{
    private readonly string _prefix = "test-" + Guid.NewGuid().ToString("N");

    private protected override IApprovalStore NewStore() =>
        new RedisApprovalStore(new RedisStoreOptions { Configuration = redis.Server.Endpoint, KeyPrefix = _prefix }, Clock, new TestOutputLogger<RedisApprovalStore>());
}

/// <summary>Durability and outages on a redis-server of its own (AOF on), killed with SIGKILL and restarted.</summary>
public sealed class RedisApprovalStoreDurabilityTests : ApprovalStoreDurabilityContractTests
{
    private RedisServer? _server;

    private RedisServer Server => _server ?? throw new InvalidOperationException("The redis server is not started.");

    private protected override string BackendDescription => "redis at " + Server.Endpoint;

    public override async ValueTask InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private protected override IApprovalStore NewStore() =>
        new RedisApprovalStore(new RedisStoreOptions { Configuration = Server.Endpoint }, Clock, new TestOutputLogger<RedisApprovalStore>());

    private protected override async Task CrashAndRestartAsync()
    {
        await Server.KillAsync();
        await Server.StartAgainAsync();
    }

    private protected override Task MakeUnreachableAsync() => Server.KillAsync();

    private protected override Task MakeReachableAsync() => Server.StartAgainAsync();
}
