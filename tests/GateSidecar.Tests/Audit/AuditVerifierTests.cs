using Gate.V1;
using GateSidecar.Audit;
using GateSidecar.Tokens;
using Xunit;

namespace GateSidecar.Tests.Audit;

public sealed class AuditVerifierTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Verify_IntactChain_IsOkAndCountsEveryEntry()
    {
        var result = await Verify(AuditTestData.Chain(12));

        Assert.True(result.Ok, result.Detail);
        Assert.Equal(12, result.EntriesChecked);
        Assert.Equal(0, result.FirstBadSeq);
    }

    [Fact]
    public async Task Verify_EmptyChain_IsOk()
    {
        var result = await Verify([]);

        Assert.True(result.Ok);
        Assert.Equal(0, result.EntriesChecked);
    }

    [Fact]
    public async Task Verify_FieldOfEntryChanged_FailsAtThatEntryAsChanged()
    {
        var chain = AuditTestData.Chain(10);
        chain[4].Reason = "nothing to see here"; // seq 5

        var result = await Verify(chain);

        Assert.False(result.Ok);
        Assert.Equal(5, result.FirstBadSeq);
        Assert.Equal(5, result.EntriesChecked);
        Assert.StartsWith("changed", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_PatchValueChanged_FailsAtThatEntry()
    {
        var chain = AuditTestData.Chain(10);
        chain[7].Patch[0].Value = Google.Protobuf.WellKnownTypes.Value.ForNumber(45025); // seq 8

        Assert.Equal(8, (await Verify(chain)).FirstBadSeq);
    }

    [Fact]
    public async Task Verify_EntryRemoved_FailsAtItsSuccessorAsMissingPredecessor()
    {
        var chain = AuditTestData.Chain(10);
        chain.RemoveAt(3); // seq 4

        var result = await Verify(chain);

        Assert.False(result.Ok);
        Assert.Equal(5, result.FirstBadSeq);
        Assert.StartsWith("missing predecessor", result.Detail, StringComparison.Ordinal);
        Assert.Contains("seq 4", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_FirstEntryRemoved_FailsAtNewFirstEntry()
    {
        var chain = AuditTestData.Chain(5);
        chain.RemoveAt(0);

        var result = await Verify(chain);

        Assert.Equal(2, result.FirstBadSeq);
        Assert.StartsWith("missing predecessor", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_LastEntryRemoved_CannotBeSeenWithoutAnAnchor()
    {
        // A chain proves its inside; a removed tail needs the head recorded elsewhere (a checkpoint or the store's counter).
        var chain = AuditTestData.Chain(5);
        chain.RemoveAt(4);

        Assert.True((await Verify(chain)).Ok);
    }

    [Fact]
    public async Task Verify_TwoEntriesSwapped_FailsAsOutOfOrder()
    {
        var chain = AuditTestData.Chain(10);
        (chain[5], chain[6]) = (chain[6], chain[5]); // seq 6 and 7

        var result = await Verify(chain);

        Assert.False(result.Ok);
        Assert.Equal(7, result.FirstBadSeq);
        Assert.StartsWith("out of order", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_EntryRewrittenAndRehashed_FailsAtTheNextEntry()
    {
        var chain = AuditTestData.Chain(10);
        chain[2].Verdict = "REJECT"; // seq 3, resealed so its own hash holds
        AuditChain.Seal(chain[2], 3, chain[2].PrevHash);

        var result = await Verify(chain);

        Assert.Equal(4, result.FirstBadSeq);
        Assert.Contains("does not link to seq 3", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_DuplicateEntry_FailsAsOutOfOrder()
    {
        var chain = AuditTestData.Chain(6);
        chain.Insert(3, chain[2].Clone());

        var result = await Verify(chain);

        Assert.Equal(3, result.FirstBadSeq);
        Assert.StartsWith("out of order", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_FromSignedCheckpoint_AcceptsPrunedHead()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        var chain = AuditTestData.Chain(10);
        var checkpoint = AuditCheckpoint.Create(chain[3], AuditTestData.Start, keys); // seq 1..4 pruned

        var result = await Verify(chain.Skip(4), checkpoint, keys);
        var withoutCheckpoint = await Verify(chain.Skip(4));

        Assert.True(result.Ok, result.Detail);
        Assert.Equal(6, result.EntriesChecked);
        Assert.False(withoutCheckpoint.Ok);
        Assert.Equal(5, withoutCheckpoint.FirstBadSeq);
    }

    [Fact]
    public async Task Verify_CheckpointWithAlteredHash_FailsAtCheckpoint()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        var chain = AuditTestData.Chain(10);
        var checkpoint = AuditCheckpoint.Create(chain[3], AuditTestData.Start, keys) with { Hash = chain[4].Hash };

        var result = await Verify(chain.Skip(5), checkpoint, keys);

        Assert.False(result.Ok);
        Assert.Equal(4, result.FirstBadSeq);
        Assert.Contains("altered", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_CheckpointByUnpublishedKey_Fails()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        using var stranger = SigningKeyRing.CreateEphemeral();
        var chain = AuditTestData.Chain(6);
        var checkpoint = AuditCheckpoint.Create(chain[1], AuditTestData.Start, stranger);

        var result = await Verify(chain.Skip(2), checkpoint, keys);

        Assert.False(result.Ok);
        Assert.Contains("not among the published keys", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_EntryAfterCheckpointMissing_FailsAsMissingPredecessor()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        var chain = AuditTestData.Chain(10);
        var checkpoint = AuditCheckpoint.Create(chain[3], AuditTestData.Start, keys);

        var result = await Verify(chain.Skip(5), checkpoint, keys); // seq 5 gone too

        Assert.Equal(6, result.FirstBadSeq);
        Assert.StartsWith("missing predecessor", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoint_AtIsKeptToTheMillisecond_AndSignatureVerifies()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        var at = AuditTestData.Start.AddTicks(12_345_678);

        var checkpoint = AuditCheckpoint.Create(4, new string('a', 64), at, keys);

        Assert.Equal(AuditTestData.Start.AddMilliseconds(1234), checkpoint.At);
        Assert.Equal(keys.SigningKeyId, checkpoint.KeyId);
        Assert.Null(checkpoint.VerifySignature(keys));
        Assert.NotNull((checkpoint with { ThroughSeq = 5 }).VerifySignature(keys));
    }

    private static Task<AuditVerification> Verify(IEnumerable<AuditEvent> entries, AuditCheckpoint? checkpoint = null, SigningKeyRing? keys = null) =>
        AuditVerifier.VerifyAsync(AuditTestData.Stream(entries), checkpoint, keys, TestContext.Current.CancellationToken).WaitAsync(Timeout);
}
