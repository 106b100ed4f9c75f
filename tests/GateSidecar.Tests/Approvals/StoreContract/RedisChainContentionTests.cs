using GateSidecar.Approvals;
using GateSidecar.Approvals.Redis;
using GateSidecar.Tests.Infrastructure;
using Xunit;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>
/// Several sidecars appending to the one audit chain at full speed: each append is optimistic, so
/// a writer that keeps finding the head moved must still get its turn instead of failing its calls.
/// </summary>
public sealed class RedisChainContentionTests : StoreTestBase
{
    private const int Sidecars = 4;
    private const int WritesPerSidecar = 1500;
    private const int Concurrency = 64;
    private RedisServer? _server;

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

    private protected override IApprovalStore NewStore() => new RedisApprovalStore(
        // Few re-seals allowed: with fair turns a writer needs at most one after losing a race.
        new RedisStoreOptions { Configuration = _server!.Endpoint, KeyPrefix = "gate", MaxChainRetries = 3 },
        Clock,
        new TestOutputLogger<RedisApprovalStore>());

    [Fact]
    public async Task Create_SidecarsWritingAtOnce_EveryWriteAppliesAndTheChainStaysValid()
    {
        var stores = new List<IApprovalStore> { Store };
        for (var i = 1; i < Sidecars; i++)
        {
            stores.Add(await OpenAsync());
        }

        var failures = 0;
        string? firstFailure = null;
        var writers = stores.Select(store => Task.Run(async () =>
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) < WritesPerSidecar)
                {
                    var record = Pending(Clock.Now);
                    try
                    {
                        var created = await store.CreateAsync(record, Entries("created", Clock.Now, record.Approval.ApprovalId), Ct);
                        Assert.True(created.Created);
                    }
                    catch (StoreUnavailableException ex)
                    {
                        if (Interlocked.Increment(ref failures) == 1)
                        {
                            firstFailure = ex.Message;
                        }
                    }
                }
            }, Ct)));
        }, Ct));

        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(2), Ct);

        Assert.True(failures == 0, $"{failures} writes failed; first: {firstFailure}");
        var chain = await ReadAllAuditAsync(Store).WaitAsync(TimeSpan.FromMinutes(1), Ct);
        Assert.Equal(Sidecars * WritesPerSidecar, chain.Count);
        AssertValidChain(chain);
    }
}
