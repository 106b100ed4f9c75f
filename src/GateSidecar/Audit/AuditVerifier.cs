using Gate.V1;
using GateSidecar.Tokens;

namespace GateSidecar.Audit;

/// <summary>
/// Re-checks a stored audit chain in <c>seq</c> order: every entry's hash recomputes, its <c>seq</c>
/// is one more than its predecessor's, and its <c>prev_hash</c> is its predecessor's hash (the
/// genesis hash, or the checkpoint's hash when the head was pruned). Stops at the first violation.
/// </summary>
internal static class AuditVerifier
{
    public static Task<AuditVerification> VerifyAsync(IAsyncEnumerable<AuditEvent> entries, CancellationToken cancellationToken) =>
        VerifyAsync(entries, checkpoint: null, keys: null, cancellationToken);

    /// <summary>
    /// Verifies the entries that follow <paramref name="checkpoint"/> (all entries when it is
    /// <see langword="null"/>); the checkpoint's signature is checked with <paramref name="keys"/>.
    /// </summary>
    public static async Task<AuditVerification> VerifyAsync(
        IAsyncEnumerable<AuditEvent> entries,
        AuditCheckpoint? checkpoint,
        SigningKeyRing? keys,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var cursor = AuditChainCursor.Start;
        if (checkpoint is { } start)
        {
            if (keys is null)
            {
                throw new ArgumentNullException(nameof(keys), "A checkpoint's signature can only be checked with the signing key ring.");
            }

            if (start.VerifySignature(keys) is { } problem)
            {
                return AuditVerification.Failure(0, start.ThroughSeq, problem);
            }

            cursor = AuditChainCursor.After(start);
        }

        var enumerator = entries.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            var has = await enumerator.MoveNextAsync().ConfigureAwait(false);
            while (has)
            {
                var entry = enumerator.Current;
                has = await enumerator.MoveNextAsync().ConfigureAwait(false);
                var next = has ? enumerator.Current : null;
                if (cursor.Check(entry, next) is { } problem)
                {
                    return AuditVerification.Failure(cursor.Checked + 1, entry.Seq, problem);
                }

                cursor = cursor.Advance(entry);
            }
        }

        return AuditVerification.Success(
            cursor.Checked,
            cursor.Checked == 0 ? "no entries to check" : $"{cursor.Checked} entries verified through seq {cursor.LastSeq}");
    }
}
