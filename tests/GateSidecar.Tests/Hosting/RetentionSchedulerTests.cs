using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Sqlite;
using GateSidecar.Audit;
using GateSidecar.Hosting;
using GateSidecar.Tests.Approvals.StoreContract;
using GateSidecar.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Hosting;

public sealed class RetentionSchedulerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly StoreTestClock _clock = new();
    private readonly SigningKeyRing _keys = SigningKeyRing.CreateEphemeral();
    private readonly SqliteApprovalStore _store;

    public RetentionSchedulerTests() => _store = new SqliteApprovalStore(SqliteDatabase.MemoryPath, _clock, NullLogger<SqliteApprovalStore>.Instance);

    public async ValueTask InitializeAsync() => await _store.InitializeAsync(CancellationToken.None).WaitAsync(Timeout);

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _keys.Dispose();
    }

    [Theory]
    [InlineData(null, null, 600)]
    [InlineData(1.0, null, 1)]
    [InlineData(null, 3600.0, 360)]
    [InlineData(86400.0, 3600.0, 360)]
    [InlineData(86400.0 * 90, null, 600)]
    public void Interval_IsATenthOfTheShortestRetention_Between1sAnd10Min(double? auditSeconds, double? retentionSeconds, int expectedSeconds)
    {
        var interval = RetentionScheduler.IntervalFor(
            auditSeconds is { } a ? TimeSpan.FromSeconds(a) : null,
            retentionSeconds is { } r ? TimeSpan.FromSeconds(r) : null);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), interval);
    }

    [Fact]
    public async Task RunOnce_BothRetentions_PrunesAuditAndFinishedApprovals()
    {
        var finished = Pending(_clock.Now);
        await _store.CreateAsync(finished, Entries("created", _clock.Now), CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.True(await _store.TryUpdateAsync(Next(finished, ApprovalState.Rejected), 1, Entries("rejected", _clock.Now), CancellationToken.None).AsTask().WaitAsync(Timeout));
        _clock.Advance(TimeSpan.FromDays(10));
        var open = Pending(_clock.Now);
        await _store.CreateAsync(open, Entries("created", _clock.Now), CancellationToken.None).AsTask().WaitAsync(Timeout);

        var (audit, approvals) = await Scheduler(TimeSpan.FromDays(7), TimeSpan.FromDays(7)).RunOnceAsync(CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal((2L, 1), (audit.Pruned, approvals));
        Assert.Null(await _store.GetAsync(finished.Approval.ApprovalId, CancellationToken.None).AsTask().WaitAsync(Timeout));
        Assert.NotNull(await _store.GetAsync(open.Approval.ApprovalId, CancellationToken.None).AsTask().WaitAsync(Timeout));
        Assert.True((await AuditStoreVerifier.VerifyAsync(_store, _keys, CancellationToken.None).WaitAsync(Timeout)).Ok);
    }

    [Fact]
    public async Task RunOnce_NoRetention_KeepsEverything()
    {
        var finished = Pending(_clock.Now);
        await _store.CreateAsync(finished, Entries("created", _clock.Now), CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.True(await _store.TryUpdateAsync(Next(finished, ApprovalState.Rejected), 1, Entries("rejected", _clock.Now), CancellationToken.None).AsTask().WaitAsync(Timeout));
        _clock.Advance(TimeSpan.FromDays(1000));

        var (audit, approvals) = await Scheduler(null, null).RunOnceAsync(CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal((0L, 0), (audit.Pruned, approvals));
        Assert.NotNull(await _store.GetAsync(finished.Approval.ApprovalId, CancellationToken.None).AsTask().WaitAsync(Timeout));
        Assert.Null(await _store.GetAuditCheckpointAsync(CancellationToken.None).AsTask().WaitAsync(Timeout));
    }

    private RetentionScheduler Scheduler(TimeSpan? auditRetention, TimeSpan? retention) => new(
        _store,
        new AuditRetention(_store, _keys, _clock, NullLogger<AuditRetention>.Instance),
        auditRetention,
        retention,
        _clock,
        NullLogger<RetentionScheduler>.Instance);
}
