using Gate.V1;
using GateSidecar.Approvals;
using Xunit;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>
/// The contract every <see cref="IApprovalStore"/> passes: create-if-absent, compare-and-set,
/// indexes, tokens, audit chain, change notifications. Run once per store by the subclasses.
/// </summary>
public abstract partial class ApprovalStoreContractTests : StoreTestBase
{
    [Fact]
    public async Task Create_NewKey_IsCreatedAndReadBackUnchanged()
    {
        var record = Pending(Clock.Now, pool: "finance", deadlineMs: Clock.Now.AddMinutes(5).ToUnixTimeMilliseconds());

        var result = await Store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.True(result.Created);
        Assert.Equal(record, result.Record);
        var read = await Store.GetAsync(record.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.Equal(record, read);
    }

    [Fact]
    public async Task Get_UnknownId_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync("ap_unknown", Ct).AsTask().WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Create_SameTenantAndCallIdTwice_ReturnsExistingAndAppendsNoSecondAuditEntry()
    {
        var first = Pending(Clock.Now, callId: "toolu_01");
        var retry = Pending(Clock.Now, callId: "toolu_01");

        await Store.CreateAsync(first, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var again = await Store.CreateAsync(retry, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.False(again.Created);
        Assert.Equal(first, again.Record);
        Assert.Null(await Store.GetAsync(retry.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        var audit = await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct);
        Assert.Single(audit);
        Assert.Equal(first.Approval.ApprovalId, audit[0].ApprovalId);
    }

    [Fact]
    public async Task Create_SameCallIdInAnotherTenant_IsASecondRecord()
    {
        var a = Pending(Clock.Now, tenant: "acme", callId: "toolu_01");
        var b = Pending(Clock.Now, tenant: "globex", callId: "toolu_01");

        var first = await Store.CreateAsync(a, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var second = await Store.CreateAsync(b, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.True(first.Created);
        Assert.True(second.Created);
        Assert.Equal(b, await Store.GetAsync(b.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Create_TwentyConcurrentWithSameKey_CreatesExactlyOneAndAllSeeIt()
    {
        var attempts = Enumerable.Range(0, 20).Select(_ => Pending(Clock.Now, callId: "toolu_race")).ToArray();

        var results = await Task.WhenAll(attempts.Select(r => Store.CreateAsync(r, Entries("created", Clock.Now), Ct).AsTask())).WaitAsync(Timeout, Ct);

        var created = Assert.Single(results, r => r.Created);
        Assert.All(results, r => Assert.Equal(created.Record.Approval.ApprovalId, r.Record.Approval.ApprovalId));
        Assert.Single(await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Create_NewAndRetriedCallsInterleaved_EveryNewCallKeepsItsAuditEntryInOneChain()
    {
        var seen = Pending(Clock.Now, callId: "toolu_seen");
        await Store.CreateAsync(seen, Entries("created", Clock.Now, seen.Approval.ApprovalId), Ct).AsTask().WaitAsync(Timeout, Ct);

        // Queued together, so the store's batches mix creations with retries that stop on the
        // existing record after the creations before them appended their entries.
        var fresh = Enumerable.Range(0, 40).Select(i => Pending(Clock.Now, callId: "toolu_new_" + i)).ToArray();
        var writes = fresh.SelectMany(record => new[]
        {
            Store.CreateAsync(record, Entries("created", Clock.Now, record.Approval.ApprovalId), Ct).AsTask(),
            Store.CreateAsync(Pending(Clock.Now, callId: "toolu_seen"), Entries("created", Clock.Now), Ct).AsTask(),
        }).ToArray();
        var results = await Task.WhenAll(writes).WaitAsync(Timeout, Ct);
        var last = Pending(Clock.Now, callId: "toolu_last");
        await Store.CreateAsync(last, Entries("created", Clock.Now, last.Approval.ApprovalId), Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.Equal(40, results.Count(r => r.Created));
        Assert.All(results.Where(r => !r.Created), r => Assert.Equal(seen, r.Record));
        var audit = await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct);
        AssertValidChain(audit);
        Assert.Equal(
            new[] { seen, last }.Concat(fresh).Select(r => r.Approval.ApprovalId).Order(StringComparer.Ordinal),
            audit.Select(e => e.ApprovalId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Update_ValidAndStaleUpdatesInterleaved_EveryAppliedUpdateKeepsItsAuditEntryInOneChain()
    {
        var records = Enumerable.Range(0, 40).Select(i => Pending(Clock.Now, callId: "toolu_u" + i)).ToArray();
        foreach (var record in records)
        {
            await Store.CreateAsync(record, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        }

        // Each valid update is followed in the queue by a stale one (seq 7 expected, 1 or 2 stored)
        // that stops its batch.
        var stale = Next(records[0], ApprovalState.Rejected);
        stale.Approval.Seq = 8;
        var writes = records.SelectMany(record => new[]
        {
            Store.TryUpdateAsync(Next(record, ApprovalState.Approved), 1, Entries("approved", Clock.Now, record.Approval.ApprovalId), Ct).AsTask(),
            Store.TryUpdateAsync(stale, 7, Entries("rejected", Clock.Now, "stale"), Ct).AsTask(),
        }).ToArray();
        var applied = await Task.WhenAll(writes).WaitAsync(Timeout, Ct);
        var last = Pending(Clock.Now, callId: "toolu_after");
        await Store.CreateAsync(last, Entries("created", Clock.Now, last.Approval.ApprovalId), Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.Equal(40, applied.Count(a => a));
        var audit = await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct);
        AssertValidChain(audit);
        Assert.Equal(
            records.Append(last).Select(r => r.Approval.ApprovalId).Order(StringComparer.Ordinal),
            audit.Select(e => e.ApprovalId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Create_TwentyConcurrentWithSameKeyOnTwoInstances_CreatesExactlyOne()
    {
        RequireSharedInstances();
        var other = await OpenAsync();
        var stores = new[] { Store, other };

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            stores[i % 2].CreateAsync(Pending(Clock.Now, callId: "toolu_race"), Entries("created", Clock.Now), Ct).AsTask())).WaitAsync(Timeout, Ct);

        var created = Assert.Single(results, r => r.Created);
        Assert.All(results, r => Assert.Equal(created.Record.Approval.ApprovalId, r.Record.Approval.ApprovalId));
        Assert.Single(await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Create_WithoutCallId_ThrowsNamingTheField()
    {
        var record = Pending(Clock.Now);
        record.Approval.Request.CallId = string.Empty;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateAsync(record, [], Ct).AsTask()).WaitAsync(Timeout, Ct);

        Assert.Contains("call_id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryUpdate_ExpectedSeqMatches_ReplacesRecordAndAppendsAudit()
    {
        var record = Pending(Clock.Now);
        await Store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var approved = Next(record, ApprovalState.Approved);

        var updated = await Store.TryUpdateAsync(approved, expectedSeq: 1, Entries("approved", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.True(updated);
        Assert.Equal(approved, await Store.GetAsync(record.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        var audit = await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct);
        Assert.Equal(["created", "approved"], audit.Select(e => e.Type));
    }

    [Fact]
    public async Task TryUpdate_StaleExpectedSeq_ReturnsFalseAndWritesNothing()
    {
        var record = Pending(Clock.Now);
        await Store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var escalated = Next(record, ApprovalState.Escalated, pool: "leads");
        Assert.True(await Store.TryUpdateAsync(escalated, 1, Entries("escalated", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct));

        var late = Next(record, ApprovalState.Rejected);
        var updated = await Store.TryUpdateAsync(late, expectedSeq: 1, Entries("rejected", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.False(updated);
        Assert.Equal(escalated, await Store.GetAsync(record.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal(2, (await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct)).Count);
    }

    [Fact]
    public async Task TryUpdate_UnknownRecord_ReturnsFalse()
    {
        var ghost = Next(Pending(Clock.Now), ApprovalState.Approved);

        Assert.False(await Store.TryUpdateAsync(ghost, 1, Entries("approved", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Empty(await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task TryUpdate_NewSeqNotAboveExpected_ThrowsNamingTheRule()
    {
        var record = Pending(Clock.Now);
        await Store.CreateAsync(record, [], Ct).AsTask().WaitAsync(Timeout, Ct);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.TryUpdateAsync(record, 1, [], Ct).AsTask()).WaitAsync(Timeout, Ct);

        Assert.Contains("must be greater than expectedSeq", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryUpdate_TwentyConcurrentWithSameExpectedSeq_ExactlyOneWins()
    {
        var record = Pending(Clock.Now);
        await Store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var contenders = Enumerable.Range(0, 20).Select(i => Next(record, i % 2 == 0 ? ApprovalState.Approved : ApprovalState.Rejected)).ToArray();
        for (var i = 0; i < contenders.Length; i++)
        {
            contenders[i].Approval.Reason = "contender " + i;
        }

        var results = await Task.WhenAll(contenders.Select(c => Store.TryUpdateAsync(c, 1, Entries("decision", Clock.Now), Ct).AsTask())).WaitAsync(Timeout, Ct);

        var winner = Assert.Single(Enumerable.Range(0, 20), i => results[i]);
        Assert.Equal(contenders[winner], await Store.GetAsync(record.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal(2, (await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct)).Count);
    }

    [Fact]
    public async Task TryUpdate_ConcurrentOnTwoInstances_ExactlyOneWins()
    {
        RequireSharedInstances();
        var other = await OpenAsync();
        var record = Pending(Clock.Now);
        await Store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var stores = new[] { Store, other };

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            stores[i % 2].TryUpdateAsync(Next(record, ApprovalState.Approved), 1, Entries("approved", Clock.Now), Ct).AsTask())).WaitAsync(Timeout, Ct);

        Assert.Single(results, r => r);
        Assert.Equal(2, (await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct)).Count);
    }

    [Fact]
    public async Task Ping_ReachableStore_ReturnsTrue()
    {
        Assert.True(await Store.PingAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
    }
}
