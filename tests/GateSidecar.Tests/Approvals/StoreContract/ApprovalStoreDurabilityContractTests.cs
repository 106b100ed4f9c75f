using System.Diagnostics;
using Gate.V1;
using GateSidecar.Approvals;
using Xunit;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>
/// Nothing acknowledged is lost across a crash, and an unreachable backend fails fast with
/// <see cref="StoreUnavailableException"/> and recovers without recreating the store.
/// </summary>
public abstract class ApprovalStoreDurabilityContractTests : StoreTestBase
{
    /// <summary>The backend dies without warning and comes back (SQLite: the process's store is abandoned; Redis: kill -9 and restart).</summary>
    private protected abstract Task CrashAndRestartAsync();

    private protected abstract Task MakeUnreachableAsync();

    /// <summary>What the unavailable message must name so an operator knows where to look.</summary>
    private protected abstract string BackendDescription { get; }

    private protected abstract Task MakeReachableAsync();

    [Fact]
    public async Task Crash_AcknowledgedWrites_AreAllThereAfterRestart()
    {
        var now = Clock.Now;
        var pending = Pending(now, pool: "finance", deadlineMs: now.AddMinutes(5).ToUnixTimeMilliseconds());
        var decided = Pending(now);
        await Store.CreateAsync(pending, Entries("created", now), Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.CreateAsync(decided, Entries("created", now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var approved = Next(decided, ApprovalState.Approved);
        Assert.True(await Store.TryUpdateAsync(approved, 1, Entries("approved", now), Ct).AsTask().WaitAsync(Timeout, Ct));
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Store.CreateAsync(Pending(now), Entries("created", now), Ct).AsTask())).WaitAsync(Timeout, Ct);
        Assert.True(await Store.TryConsumeTokenAsync("jti-used", now.AddMinutes(5), Ct).AsTask().WaitAsync(Timeout, Ct));

        await CrashAndRestartAsync();
        var reopened = await OpenAsync();

        Assert.Equal(pending, await reopened.GetAsync(pending.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal(approved, await reopened.GetAsync(decided.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Contains(pending, (await reopened.ListPendingAsync(["finance"], null, 10, Ct).AsTask().WaitAsync(Timeout, Ct)).Items);
        Assert.Equal([pending.Approval.ApprovalId], await reopened.DueIdsAsync(now.AddMinutes(5), 10, Ct).WaitAsync(Timeout, Ct));
        Assert.False(await reopened.TryConsumeTokenAsync("jti-used", now.AddMinutes(5), Ct).AsTask().WaitAsync(Timeout, Ct));
        var audit = await ReadAllAuditAsync(reopened).WaitAsync(Timeout, Ct);
        Assert.Equal(103, audit.Count);
        AssertValidChain(audit);

        // The chain continues where it stopped.
        await reopened.CreateAsync(Pending(now), Entries("created", now), Ct).AsTask().WaitAsync(Timeout, Ct);
        AssertValidChain(await ReadAllAuditAsync(reopened).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Unreachable_Write_FailsWithStoreUnavailableThenRecoversWithoutANewStore()
    {
        var before = Pending(Clock.Now);
        await Store.CreateAsync(before, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);

        await MakeUnreachableAsync();
        // The timeout bounds "fails fast": a store that hangs fails this test with a TimeoutException.
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() =>
            Store.CreateAsync(Pending(Clock.Now), Entries("created", Clock.Now), Ct).AsTask()).WaitAsync(Timeout, Ct);

        Assert.Contains(BackendDescription, error.Message, StringComparison.Ordinal);

        await MakeReachableAsync();
        var after = Pending(Clock.Now);
        var created = await EventuallyAsync(() => Store.CreateAsync(after, Entries("created", Clock.Now), Ct).AsTask());

        Assert.True(created.Created);
        Assert.True(await Store.PingAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal(before, await Store.GetAsync(before.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        AssertValidChain(await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct));
    }

    /// <summary>Retries while the store reports it is unavailable (it is reconnecting), for up to 20 seconds.</summary>
    internal static async Task<T> EventuallyAsync<T>(Func<Task<T>> call)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call().WaitAsync(Timeout, Ct);
            }
            catch (StoreUnavailableException) when (watch.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100, Ct);
            }
        }
    }
}
