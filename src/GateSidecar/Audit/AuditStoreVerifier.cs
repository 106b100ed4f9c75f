using GateSidecar.Approvals;
using GateSidecar.Tokens;

namespace GateSidecar.Audit;

/// <summary>
/// Verifies a store's whole audit trail: the pruning checkpoint's signature (when the head was
/// pruned), then every stored entry from there. What <c>Audit.Verify</c> answers.
/// </summary>
internal static class AuditStoreVerifier
{
    private const int Attempts = 3;

    public static async Task<AuditVerification> VerifyAsync(IApprovalStore store, SigningKeyRing keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        for (var attempt = 1; ; attempt++)
        {
            var checkpoint = await store.GetAuditCheckpointAsync(cancellationToken).ConfigureAwait(false);
            var result = await AuditVerifier.VerifyAsync(store.ReadAuditAsync(cancellationToken), checkpoint, keys, cancellationToken).ConfigureAwait(false);
            if (result.Ok)
            {
                return checkpoint is { } from
                    ? result with { Detail = $"{result.Detail}, after the signed checkpoint through seq {from.ThroughSeq}" }
                    : result;
            }

            // A pruning that ran between reading the checkpoint and the entries looks like removed
            // entries: verify again when the checkpoint moved meanwhile.
            var now = await store.GetAuditCheckpointAsync(cancellationToken).ConfigureAwait(false);
            if (attempt == Attempts || now?.ThroughSeq == checkpoint?.ThroughSeq)
            {
                return result;
            }
        }
    }
}
