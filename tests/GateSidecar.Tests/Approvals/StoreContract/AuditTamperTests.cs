using Gate.V1;
using GateSidecar.Audit;
using GateSidecar.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>
/// Someone with write access to the store's data changes, removes or reorders audit entries, or
/// alters the pruning checkpoint, directly in the backing store (SQL, Redis commands). Verification
/// must fail at the first entry affected. Each store supplies the tampering primitives.
/// </summary>
public abstract class AuditTamperTests : StoreTestBase
{
    private static readonly SigningKeyRing Keys = SigningKeyRing.CreateEphemeral();

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var record = Pending(Clock.Now);
        await Store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var current = record;
        foreach (var type in new[] { "decision", "escalated", "decision", "approved" })
        {
            var next = Next(current, ApprovalState.Pending);
            Assert.True(await Store.TryUpdateAsync(next, current.Approval.Seq, Entries(type, Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct));
            current = next;
        }

        Clock.Advance(TimeSpan.FromDays(2));
        await Store.CreateAsync(Pending(Clock.Now), Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
    }

    /// <summary>Replaces the stored bytes of entry <paramref name="seq"/> with the entry as <paramref name="change"/> leaves it.</summary>
    private protected abstract Task RewriteEntryAsync(long seq, Action<AuditEvent> change);

    private protected abstract Task DeleteEntryAsync(long seq);

    /// <summary>Exchanges what is stored at <paramref name="first"/> and <paramref name="second"/>.</summary>
    private protected abstract Task SwapEntriesAsync(long first, long second);

    /// <summary>Sets the stored checkpoint's hash to <paramref name="hash"/>.</summary>
    private protected abstract Task RewriteCheckpointHashAsync(string hash);

    private protected abstract Task DeleteCheckpointAsync();

    [Fact]
    public async Task Verify_UntouchedChain_IsOk()
    {
        var result = await VerifyAsync();

        Assert.True(result.Ok, result.Detail);
        Assert.Equal(6, result.EntriesChecked);
    }

    [Fact]
    public async Task Verify_ReasonChangedInTheStore_FailsAtThatEntry()
    {
        await RewriteEntryAsync(3, e => e.Reason = "nobody escalated this");

        var result = await VerifyAsync();

        Assert.Equal((false, 3L, 3L), (result.Ok, result.FirstBadSeq, result.EntriesChecked));
        Assert.StartsWith("changed: entry seq 3", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ActorChangedAndRehashed_FailsAtTheNextEntry()
    {
        await RewriteEntryAsync(3, e =>
        {
            e.Actor = "approver:mallory";
            e.Hash = AuditChain.ComputeHash(e);
        });

        var result = await VerifyAsync();

        Assert.Equal((false, 4L), (result.Ok, result.FirstBadSeq));
        Assert.StartsWith("missing predecessor: entry seq 4 does not link to seq 3", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_EntryDeletedFromTheStore_FailsAtTheNextEntry()
    {
        await DeleteEntryAsync(3);

        var result = await VerifyAsync();

        Assert.Equal((false, 4L), (result.Ok, result.FirstBadSeq));
        Assert.StartsWith("missing predecessor: entry seq 3 is missing before seq 4", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TwoEntriesSwappedInTheStore_FailsAtTheFirstOneStored()
    {
        await SwapEntriesAsync(3, 4);

        var result = await VerifyAsync();

        Assert.Equal((false, 4L), (result.Ok, result.FirstBadSeq));
        Assert.StartsWith("out of order: entry seq 4 is stored before seq 3", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_CheckpointHashAltered_FailsAtTheCheckpoint()
    {
        await PruneAsync(expected: 5);
        await RewriteCheckpointHashAsync(new string('a', 64));

        var result = await VerifyAsync();

        Assert.Equal((false, 5L), (result.Ok, result.FirstBadSeq));
        Assert.Contains("checkpoint through seq 5 does not match its signature", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_CheckpointDeleted_FailsAtTheFirstStoredEntry()
    {
        await PruneAsync(expected: 5);
        await DeleteCheckpointAsync();

        var result = await VerifyAsync();

        Assert.Equal((false, 6L), (result.Ok, result.FirstBadSeq));
        Assert.Contains("a checkpoint is missing", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PruneAudit_ChainTamperedBeforeTheCutOff_RefusesAndKeepsTheEvidence()
    {
        await RewriteEntryAsync(2, e => e.Verdict = "APPROVE");

        var pruned = await Retention().PruneAsync(Clock.Now.AddDays(-1), Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(0, pruned.Pruned);
        Assert.StartsWith("seq 2: changed", pruned.Problem, StringComparison.Ordinal);
        Assert.Null(await Store.GetAuditCheckpointAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal(2, (await VerifyAsync()).FirstBadSeq);
    }

    [Fact]
    public async Task PruneAudit_CheckpointAltered_RefusesToSignOverIt()
    {
        await PruneAsync(expected: 5);
        await RewriteCheckpointHashAsync(new string('b', 64));
        Clock.Advance(TimeSpan.FromDays(5));
        await Store.CreateAsync(Pending(Clock.Now), Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);

        var again = await Retention().PruneAsync(Clock.Now.AddDays(-1), Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(0, again.Pruned);
        Assert.Contains("does not match its signature", again.Problem, StringComparison.Ordinal);
        Assert.Equal(5, (await Store.GetAuditCheckpointAsync(Ct).AsTask().WaitAsync(Timeout, Ct))!.Value.ThroughSeq);
    }

    private AuditRetention Retention() => new(Store, Keys, Clock, NullLogger<AuditRetention>.Instance);

    private async Task PruneAsync(long expected)
    {
        var pruned = await Retention().PruneAsync(Clock.Now.AddDays(-1), Ct).WaitAsync(Timeout, Ct);
        Assert.Null(pruned.Problem);
        Assert.Equal(expected, pruned.Pruned);
        Assert.True((await VerifyAsync()).Ok);
    }

    private Task<AuditVerification> VerifyAsync() => AuditStoreVerifier.VerifyAsync(Store, Keys, Ct).WaitAsync(Timeout, Ct);
}
