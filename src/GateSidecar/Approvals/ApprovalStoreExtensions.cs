using System.Runtime.CompilerServices;
using GateSidecar.Approvals.Stored;

namespace GateSidecar.Approvals;

internal static class ApprovalStoreExtensions
{
    private const int PageSize = 500;

    /// <summary>
    /// Every pending or escalated record of <paramref name="pools"/>, read page by page through
    /// <see cref="IApprovalStore.ListPendingAsync"/> (for reading everything that is open: a seed, a
    /// resync; approver-facing listings page for their caller instead).
    /// </summary>
    public static async IAsyncEnumerable<StoredApproval> ListAllPendingAsync(this IApprovalStore store, IReadOnlyCollection<string> pools, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? page = null;
        do
        {
            var result = await store.ListPendingAsync(pools, page, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var record in result.Items)
            {
                yield return record;
            }

            page = result.NextPageToken;
        }
        while (page is not null);
    }
}
