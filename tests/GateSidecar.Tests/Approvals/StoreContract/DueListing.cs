using GateSidecar.Approvals;

namespace GateSidecar.Tests.Approvals.StoreContract;

internal static class DueListing
{
    /// <summary>The ids <see cref="IApprovalStore.GetDueAsync"/> lists, in its order (no approval known to the caller).</summary>
    public static async Task<string[]> DueIdsAsync(this IApprovalStore store, DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        [.. (await store.GetDueAsync(now, max, null, cancellationToken)).Select(d => d.Id)];
}
