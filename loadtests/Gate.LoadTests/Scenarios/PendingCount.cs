using Gate.Client;
using Gate.V1;

namespace Gate.LoadTests.Scenarios;

/// <summary>How many approvals <c>ListPending</c> shows in a pool, counted page by page.</summary>
internal static class PendingCount
{
    public static async Task<long> CountAsync(ApprovalsClient approver, string pool, Func<Approval, bool>? filter = null)
    {
        long count = 0;
        var token = string.Empty;
        do
        {
            var page = await approver.ListPendingAsync(new ListPendingRequest { Pool = pool, PageSize = 500, PageToken = token }, CallOptions.WithTimeout(TimeSpan.FromSeconds(60))).ConfigureAwait(false);
            foreach (var approval in page.Approvals)
            {
                if (filter is null || filter(approval))
                {
                    count++;
                }
            }

            token = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token));
        return count;
    }
}
