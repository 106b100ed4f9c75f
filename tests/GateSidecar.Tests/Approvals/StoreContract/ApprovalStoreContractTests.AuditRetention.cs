using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Audit;
using GateSidecar.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>Audit entries without a record change, and pruning the head of the chain behind a signed checkpoint.</summary>
public abstract partial class ApprovalStoreContractTests
{
    private static readonly SigningKeyRing Keys = SigningKeyRing.CreateEphemeral();

    [Fact]
    public async Task AppendAudit_EntriesWithoutRecordChange_AreChainedButNotPublished()
    {
        var record = Pending(Clock.Now);
        await CreateQuietlyAsync(record, Entries("created", Clock.Now));
        using var changes = new ChangeRecorder(Store);

        await Store.AppendAuditAsync(Entries("refused", Clock.Now, record.Approval.ApprovalId), Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.True(await Store.TryUpdateAsync(Next(record, ApprovalState.Approved), 1, Entries("approved", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct));
        await changes.WaitForAsync(record.Approval.ApprovalId, 2, Timeout);

        var audit = await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct);
        Assert.Equal(["created", "refused", "approved"], audit.Select(e => e.Type));
        Assert.Equal(record.Approval.ApprovalId, audit[1].ApprovalId);
        AssertValidChain(audit);
        Assert.Equal([2L], changes.Changes.Select(c => c.Seq));
        var stored = await Store.GetAsync(record.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.Equal(2, stored!.Approval.Seq);
    }

    [Fact]
    public async Task AppendAudit_ConcurrentWithRecordWrites_KeepsOneValidChain()
    {
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => i % 2 == 0
            ? Store.AppendAuditAsync(Entries("refused", Clock.Now, "ap_x"), Ct).AsTask()
            : Store.CreateAsync(Pending(Clock.Now), Entries("created", Clock.Now), Ct).AsTask())).WaitAsync(Timeout, Ct);

        var audit = await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct);

        Assert.Equal(100, audit.Count);
        Assert.Equal(50, audit.Count(e => e.Type == "refused"));
        AssertValidChain(audit);
    }

    [Fact]
    public async Task PruneAudit_OlderEntries_LeaveASignedCheckpointFromWhichTheChainVerifies()
    {
        var old = Clock.Now;
        await CreateEntriesAsync(5, old);
        Clock.Advance(TimeSpan.FromDays(2));
        await CreateEntriesAsync(3, Clock.Now);

        var result = await Retention().PruneAsync(Clock.Now.AddDays(-1), Ct).WaitAsync(Timeout, Ct);

        Assert.Null(result.Problem);
        Assert.Equal(5, result.Pruned);
        var checkpoint = await Store.GetAuditCheckpointAsync(Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.NotNull(checkpoint);
        Assert.Equal(5, checkpoint.Value.ThroughSeq);
        Assert.Null(checkpoint.Value.VerifySignature(Keys));
        Assert.Equal([6L, 7, 8], (await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct)).Select(e => e.Seq));
        var verification = await AuditStoreVerifier.VerifyAsync(Store, Keys, Ct).WaitAsync(Timeout, Ct);
        Assert.True(verification.Ok, verification.Detail);
        Assert.Equal(3, verification.EntriesChecked);
        Assert.Contains("checkpoint through seq 5", verification.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PruneAudit_EverythingOld_KeepsTheNewestEntry()
    {
        await CreateEntriesAsync(4, Clock.Now);
        Clock.Advance(TimeSpan.FromDays(30));

        var result = await Retention().PruneAsync(Clock.Now, Ct).WaitAsync(Timeout, Ct);
        await CreateEntriesAsync(1, Clock.Now);

        Assert.Equal(3, result.Pruned);
        var audit = await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct);
        Assert.Equal([4L, 5], audit.Select(e => e.Seq));
        Assert.Equal(audit[0].Hash, audit[1].PrevHash);
        Assert.True((await AuditStoreVerifier.VerifyAsync(Store, Keys, Ct).WaitAsync(Timeout, Ct)).Ok);
    }

    [Fact]
    public async Task PruneAudit_AgainLater_MovesTheCheckpointForward()
    {
        await CreateEntriesAsync(3, Clock.Now);
        Clock.Advance(TimeSpan.FromDays(2));
        await CreateEntriesAsync(3, Clock.Now);
        Clock.Advance(TimeSpan.FromDays(2));
        await CreateEntriesAsync(2, Clock.Now);

        var first = await Retention().PruneAsync(Clock.Now.AddDays(-3), Ct).WaitAsync(Timeout, Ct);
        var second = await Retention().PruneAsync(Clock.Now.AddDays(-1), Ct).WaitAsync(Timeout, Ct);

        Assert.Equal((3L, 3L), (first.Pruned, second.Pruned));
        Assert.Equal(6, (await Store.GetAuditCheckpointAsync(Ct).AsTask().WaitAsync(Timeout, Ct))!.Value.ThroughSeq);
        Assert.Equal([7L, 8], (await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct)).Select(e => e.Seq));
        var page = await Store.ListAuditAsync(new AuditQuery(null, null, null, 10, null), Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.Equal([7L, 8], page.Events.Select(e => e.Seq));
        Assert.True((await AuditStoreVerifier.VerifyAsync(Store, Keys, Ct).WaitAsync(Timeout, Ct)).Ok);
    }

    [Fact]
    public async Task PruneAudit_NothingOldEnough_ChangesNothing()
    {
        await CreateEntriesAsync(3, Clock.Now);

        var result = await Retention().PruneAsync(Clock.Now.AddDays(-1), Ct).WaitAsync(Timeout, Ct);

        Assert.Equal((0L, (AuditCheckpoint?)null, (string?)null), (result.Pruned, result.Checkpoint, result.Problem));
        Assert.Null(await Store.GetAuditCheckpointAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal(3, (await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct)).Count);
    }

    [Fact]
    public async Task TryPruneAudit_CheckpointMovedOrNewestEntry_ChangesNothing()
    {
        await CreateEntriesAsync(4, Clock.Now);
        var audit = await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct);
        var throughTwo = AuditCheckpoint.Create(audit[1], Clock.Now, Keys);
        var throughFour = AuditCheckpoint.Create(audit[3], Clock.Now, Keys);

        Assert.False(await Store.TryPruneAuditAsync(1, throughTwo, audit[..2], Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.False(await Store.TryPruneAuditAsync(0, throughFour, audit, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Null(await Store.GetAuditCheckpointAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.True(await Store.TryPruneAuditAsync(0, throughTwo, audit[..2], Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.False(await Store.TryPruneAuditAsync(0, throughTwo, audit[..2], Ct).AsTask().WaitAsync(Timeout, Ct));

        Assert.Equal(throughTwo, await Store.GetAuditCheckpointAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal([3L, 4], (await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct)).Select(e => e.Seq));
    }

    [Fact]
    public async Task PruneAudit_TwoInstancesAtOnce_PruneOnceAndStayVerifiable()
    {
        RequireSharedInstances();
        var other = await OpenAsync();
        await CreateEntriesAsync(2500, Clock.Now);
        Clock.Advance(TimeSpan.FromDays(2));
        await CreateEntriesAsync(2, Clock.Now);

        var results = await Task.WhenAll(
            Retention(Store).PruneAsync(Clock.Now.AddDays(-1), Ct),
            Retention(other).PruneAsync(Clock.Now.AddDays(-1), Ct)).WaitAsync(Timeout * 3, Ct);

        Assert.All(results, r => Assert.Null(r.Problem));
        Assert.Equal(2500, results.Sum(r => r.Pruned));
        Assert.Equal(2500, (await other.GetAuditCheckpointAsync(Ct).AsTask().WaitAsync(Timeout, Ct))!.Value.ThroughSeq);
        Assert.True((await AuditStoreVerifier.VerifyAsync(other, Keys, Ct).WaitAsync(Timeout, Ct)).Ok);
    }

    private AuditRetention Retention(IApprovalStore? store = null) =>
        new(store ?? Store, Keys, Clock, NullLogger<AuditRetention>.Instance);

    private async Task CreateEntriesAsync(int count, DateTimeOffset at)
    {
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Store.CreateAsync(Pending(at), Entries("created", at), Ct).AsTask())).WaitAsync(Timeout * 3, Ct);
    }
}
