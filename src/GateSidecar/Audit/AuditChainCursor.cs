using Gate.V1;

namespace GateSidecar.Audit;

/// <summary>Where verification stands: what the next entry must link to.</summary>
internal readonly record struct AuditChainCursor(long? ExpectedSeq, string ExpectedPrevHash, long Checked, long LastSeq, string Origin)
{
    public static AuditChainCursor Start => new(null, AuditChain.Genesis, 0, 0, "the genesis hash");

    public static AuditChainCursor After(AuditCheckpoint checkpoint) =>
        new(checkpoint.ThroughSeq + 1, checkpoint.Hash, 0, checkpoint.ThroughSeq, $"the checkpoint through seq {checkpoint.ThroughSeq}");

    public AuditChainCursor Advance(AuditEvent entry) =>
        new(entry.Seq + 1, entry.Hash, Checked + 1, entry.Seq, $"seq {entry.Seq}");

    /// <summary>The first thing wrong with <paramref name="entry"/>, or <see langword="null"/>.</summary>
    /// <param name="entry">The entry to check.</param>
    /// <param name="next">The entry stored after it, to tell a reordering from a removal.</param>
    public string? Check(AuditEvent entry, AuditEvent? next)
    {
        if (!string.Equals(AuditChain.ComputeHash(entry), entry.Hash, StringComparison.Ordinal))
        {
            return $"changed: entry seq {entry.Seq} no longer matches its hash (a field was altered after it was written)";
        }

        var expected = ExpectedSeq ?? entry.Seq;
        if (entry.Seq < expected)
        {
            return $"out of order: entry seq {entry.Seq} is stored after seq {LastSeq}";
        }

        if (entry.Seq > expected)
        {
            return next is not null && next.Seq == expected
                ? $"out of order: entry seq {entry.Seq} is stored before seq {expected}"
                : $"missing predecessor: entry seq {expected} is missing before seq {entry.Seq} (removed)";
        }

        if (!string.Equals(entry.PrevHash, ExpectedPrevHash, StringComparison.Ordinal))
        {
            return ExpectedSeq is null
                ? $"missing predecessor: entry seq {entry.Seq} does not start the chain (its prev_hash is not the genesis hash; entries before it were removed, or a checkpoint is missing)"
                : $"missing predecessor: entry seq {entry.Seq} does not link to {Origin} (its prev_hash differs: that entry was replaced, or this one re-linked)";
        }

        return null;
    }
}
