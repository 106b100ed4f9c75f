using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Tokens;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Audit;

/// <summary>
/// Prunes the head of the audit chain without breaking verification: removes the oldest entries
/// written before a cut-off (never the newest entry) and leaves a checkpoint of the last one removed,
/// signed with the sidecar's key, from which <see cref="AuditStoreVerifier"/> continues. It signs
/// only what it has just verified: a segment that no longer verifies, or a checkpoint whose
/// signature fails, stops pruning (the evidence of tampering is kept, not laundered into a fresh
/// signature). Several sidecars may prune one store at once: the store's compare-and-set on the
/// checkpoint lets one of them win each step.
/// </summary>
internal sealed partial class AuditRetention(IApprovalStore store, SigningKeyRing keys, TimeProvider time, ILogger<AuditRetention> logger)
{
    /// <summary>Entries removed per store write, so that one write stays short.</summary>
    public const int ChunkSize = 1000;

    private const int MaxConflicts = 8;

    /// <summary>Removes entries written before <paramref name="olderThan"/> from the head of the chain.</summary>
    public async Task<AuditPruneResult> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        long pruned = 0;
        var conflicts = 0;
        while (true)
        {
            var checkpoint = await store.GetAuditCheckpointAsync(cancellationToken).ConfigureAwait(false);
            if (checkpoint is { } held && held.VerifySignature(keys) is { } bad)
            {
                LogRefused(logger, bad);
                return new AuditPruneResult(pruned, checkpoint, bad);
            }

            var (candidates, successor) = await ReadCandidatesAsync(olderThan, cancellationToken).ConfigureAwait(false);
            if (candidates.Count == 0)
            {
                return new AuditPruneResult(pruned, checkpoint, null);
            }

            if (FirstProblem(checkpoint, candidates, successor) is { } problem)
            {
                // Another sidecar may have pruned meanwhile, so the chain no longer starts where we read it.
                var now = await store.GetAuditCheckpointAsync(cancellationToken).ConfigureAwait(false);
                if (now?.ThroughSeq != checkpoint?.ThroughSeq && ++conflicts <= MaxConflicts)
                {
                    continue;
                }

                LogRefused(logger, problem);
                return new AuditPruneResult(pruned, checkpoint, problem);
            }

            var signed = AuditCheckpoint.Create(candidates[^1], time.GetUtcNow(), keys);
            if (await store.TryPruneAuditAsync(checkpoint?.ThroughSeq ?? 0, signed, candidates, cancellationToken).ConfigureAwait(false))
            {
                pruned += candidates.Count;
                conflicts = 0;
                LogPruned(logger, candidates.Count, signed.ThroughSeq);
                continue;
            }

            if (++conflicts > MaxConflicts)
            {
                return new AuditPruneResult(pruned, checkpoint, "the audit chain kept changing under pruning; it is retried on the next pass");
            }
        }
    }

    /// <summary>The first entry of the segment that does not verify from <paramref name="checkpoint"/>, or null.</summary>
    private static string? FirstProblem(AuditCheckpoint? checkpoint, List<AuditEvent> candidates, AuditEvent? successor)
    {
        var cursor = checkpoint is { } from ? AuditChainCursor.After(from) : AuditChainCursor.Start;
        for (var i = 0; i < candidates.Count; i++)
        {
            var next = i + 1 < candidates.Count ? candidates[i + 1] : successor;
            if (cursor.Check(candidates[i], next) is { } problem)
            {
                return $"seq {candidates[i].Seq}: {problem}";
            }

            cursor = cursor.Advance(candidates[i]);
        }

        return null;
    }

    /// <summary>
    /// Up to <see cref="ChunkSize"/> entries from the head of the stored chain written before the
    /// cut-off, each followed by a stored entry (returned as the successor of the last one).
    /// </summary>
    private async Task<(List<AuditEvent> Candidates, AuditEvent? Successor)> ReadCandidatesAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var candidates = new List<AuditEvent>();
        await foreach (var entry in store.ReadAuditAsync(cancellationToken).ConfigureAwait(false))
        {
            if (candidates.Count == ChunkSize || entry.At is null || entry.At.ToDateTimeOffset() >= olderThan)
            {
                return (candidates, entry);
            }

            candidates.Add(entry);
        }

        // The stored chain ended: its newest entry stays, so the chain head survives the pruning.
        if (candidates.Count > 0)
        {
            candidates.RemoveAt(candidates.Count - 1);
        }

        return (candidates, null);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "audit retention removed {Count} entries; the chain now starts after the checkpoint through seq {ThroughSeq}")]
    private static partial void LogPruned(ILogger logger, int count, long throughSeq);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "audit retention stopped: {Problem}; nothing more is pruned until the chain verifies (run gatectl audit verify)")]
    private static partial void LogRefused(ILogger logger, string problem);
}

/// <summary>What one pruning pass did.</summary>
/// <param name="Pruned">Entries removed.</param>
/// <param name="Checkpoint">The checkpoint the chain now starts from, if any.</param>
/// <param name="Problem">Why pruning stopped early (the chain or checkpoint does not verify), or null.</param>
internal readonly record struct AuditPruneResult(long Pruned, AuditCheckpoint? Checkpoint, string? Problem);
