using Gate.V1;
using GateSidecar.Approvals.Stored;
using Xunit;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals.StoreContract;

public abstract partial class ApprovalStoreContractTests
{
    [Fact]
    public async Task ListPending_SeveralPools_ListsOnlyThoseOldestFirst()
    {
        var t0 = Clock.Now;
        var finance = Pending(t0.AddSeconds(2), pool: "finance");
        var ops = Pending(t0.AddSeconds(1), pool: "ops");
        var hr = Pending(t0, pool: "hr");
        var escalated = Pending(t0.AddSeconds(3), pool: "finance", state: ApprovalState.Escalated);
        foreach (var record in new[] { finance, ops, hr, escalated })
        {
            await Store.CreateAsync(record, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        }

        var page = await Store.ListPendingAsync(["finance", "ops"], null, 10, Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.Equal([ops, finance, escalated], page.Items);
        Assert.Null(page.NextPageToken);
    }

    [Fact]
    public async Task ListPending_SmallPages_ReturnEveryRecordOnceInOrder()
    {
        var t0 = Clock.Now;
        var expected = new List<StoredApproval>();
        for (var i = 0; i < 23; i++)
        {
            // Several records share a creation time: the id breaks the tie.
            var record = Pending(t0.AddMilliseconds(i / 4), pool: i % 2 == 0 ? "a" : "b");
            expected.Add(record);
            await Store.CreateAsync(record, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        }

        expected = [.. expected.OrderBy(r => r.Approval.CreatedAt.ToDateTimeOffset()).ThenBy(r => r.Approval.ApprovalId, StringComparer.Ordinal)];
        var listed = new List<StoredApproval>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Store.ListPendingAsync(["a", "b"], token, 5, Ct).AsTask().WaitAsync(Timeout, Ct);
            Assert.InRange(page.Items.Count, 1, 5);
            listed.AddRange(page.Items);
            token = page.NextPageToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(expected, listed);
        Assert.Equal(5, pages);
    }

    [Fact]
    public async Task ListPending_RecordEscalatedThenDecided_MovesPoolThenLeaves()
    {
        var record = Pending(Clock.Now, pool: "finance");
        await Store.CreateAsync(record, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        var escalated = Next(record, ApprovalState.Escalated, pool: "finance-leads");
        Assert.True(await Store.TryUpdateAsync(escalated, 1, [], Ct).AsTask().WaitAsync(Timeout, Ct));

        Assert.Empty((await Store.ListPendingAsync(["finance"], null, 10, Ct).AsTask().WaitAsync(Timeout, Ct)).Items);
        Assert.Equal([escalated], (await Store.ListPendingAsync(["finance-leads"], null, 10, Ct).AsTask().WaitAsync(Timeout, Ct)).Items);

        Assert.True(await Store.TryUpdateAsync(Next(escalated, ApprovalState.Approved), 2, [], Ct).AsTask().WaitAsync(Timeout, Ct));

        Assert.Empty((await Store.ListPendingAsync(["finance", "finance-leads"], null, 10, Ct).AsTask().WaitAsync(Timeout, Ct)).Items);
    }

    [Fact]
    public async Task ListPending_RecordCreatedTerminal_IsNeverListed()
    {
        var allowed = Pending(Clock.Now, pool: "default", state: ApprovalState.Allowed, deadlineMs: Clock.Now.ToUnixTimeMilliseconds());
        await Store.CreateAsync(allowed, Entries("allowed", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.Empty((await Store.ListPendingAsync(["default"], null, 10, Ct).AsTask().WaitAsync(Timeout, Ct)).Items);
        Assert.Empty(await Store.DueIdsAsync(Clock.Now.AddDays(1), 10, Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task ListPending_TokenNotIssuedByStore_ThrowsSayingWhatToPass()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.ListPendingAsync(["a"], "garbage", 10, Ct).AsTask()).WaitAsync(Timeout, Ct);

        Assert.Contains("next_page_token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetDue_PendingDeadlines_ReturnsThoseAtOrBeforeNowEarliestFirst()
    {
        var now = Clock.Now.ToUnixTimeMilliseconds();
        var late = Pending(Clock.Now, deadlineMs: now - 1000);
        var exactlyNow = Pending(Clock.Now, deadlineMs: now);
        var later = Pending(Clock.Now, deadlineMs: now + 1);
        var none = Pending(Clock.Now);
        var escalated = Pending(Clock.Now, deadlineMs: now - 500, state: ApprovalState.Escalated);
        foreach (var record in new[] { exactlyNow, later, none, late, escalated })
        {
            await Store.CreateAsync(record, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        }

        var due = await Store.DueIdsAsync(Clock.Now, 10, Ct).WaitAsync(Timeout, Ct);
        var firstTwo = await Store.DueIdsAsync(Clock.Now, 2, Ct).WaitAsync(Timeout, Ct);

        Assert.Equal([late.Approval.ApprovalId, escalated.Approval.ApprovalId, exactlyNow.Approval.ApprovalId], due);
        Assert.Equal([late.Approval.ApprovalId, escalated.Approval.ApprovalId], firstTwo);
    }

    [Fact]
    public async Task GetDue_CarriesEachRecord_ExceptThoseTheCallerKnows()
    {
        var now = Clock.Now.ToUnixTimeMilliseconds();
        var first = Pending(Clock.Now, deadlineMs: now - 20);
        var second = Pending(Clock.Now, deadlineMs: now - 10, state: ApprovalState.Escalated);
        await Store.CreateAsync(first, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.CreateAsync(second, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        var decided = Next(first, ApprovalState.Escalated, "leads", now - 5);
        Assert.True(await Store.TryUpdateAsync(decided, 1, [], Ct).AsTask().WaitAsync(Timeout, Ct));

        var all = await Store.GetDueAsync(Clock.Now, 10, null, Ct).AsTask().WaitAsync(Timeout, Ct);
        var known = await Store.GetDueAsync(Clock.Now, 10, new HashSet<string> { second.Approval.ApprovalId, "ap_not_listed" }, Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.Equal([second.Approval.ApprovalId, first.Approval.ApprovalId], all.Select(d => d.Id));
        Assert.Equal(second, all[0].Record);
        Assert.Equal(decided, all[1].Record);
        Assert.Equal([(second.Approval.ApprovalId, false), (first.Approval.ApprovalId, true)], known.Select(d => (d.Id, d.Record is not null)));
        Assert.Equal(decided, known[1].Record);
    }

    [Fact]
    public async Task GetDue_RecordExpiredOrEscalated_LeavesOrMovesInDeadlineIndex()
    {
        var now = Clock.Now.ToUnixTimeMilliseconds();
        var expiring = Pending(Clock.Now, deadlineMs: now - 10);
        var escalating = Pending(Clock.Now, deadlineMs: now - 5);
        await Store.CreateAsync(expiring, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.CreateAsync(escalating, [], Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.True(await Store.TryUpdateAsync(Next(expiring, ApprovalState.Expired), 1, [], Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.True(await Store.TryUpdateAsync(Next(escalating, ApprovalState.Escalated, "leads", now + 60_000), 1, [], Ct).AsTask().WaitAsync(Timeout, Ct));

        Assert.Empty(await Store.DueIdsAsync(Clock.Now, 10, Ct).WaitAsync(Timeout, Ct));
        Assert.Equal([escalating.Approval.ApprovalId], await Store.DueIdsAsync(Clock.Now.AddMinutes(1), 10, Ct).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task GetNextDeadline_TracksTheEarliestPendingDeadline()
    {
        Assert.Null(await Store.GetNextDeadlineAsync(DateTimeOffset.MinValue, Ct).AsTask().WaitAsync(Timeout, Ct));
        var soon = Clock.Now.AddSeconds(30);
        var first = Pending(Clock.Now, deadlineMs: soon.ToUnixTimeMilliseconds());
        await Store.CreateAsync(first, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.CreateAsync(Pending(Clock.Now, deadlineMs: soon.AddMinutes(1).ToUnixTimeMilliseconds()), [], Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.Equal(soon, await Store.GetNextDeadlineAsync(DateTimeOffset.MinValue, Ct).AsTask().WaitAsync(Timeout, Ct));

        Assert.True(await Store.TryUpdateAsync(Next(first, ApprovalState.Cancelled), 1, [], Ct).AsTask().WaitAsync(Timeout, Ct));

        Assert.Equal(soon.AddMinutes(1), await Store.GetNextDeadlineAsync(DateTimeOffset.MinValue, Ct).AsTask().WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task GetNextDeadline_After_SkipsDeadlinesAtOrBeforeIt()
    {
        var soon = Clock.Now.AddSeconds(30);
        await Store.CreateAsync(Pending(Clock.Now, deadlineMs: soon.ToUnixTimeMilliseconds()), [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.CreateAsync(Pending(Clock.Now, deadlineMs: soon.AddSeconds(1).ToUnixTimeMilliseconds()), [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.CreateAsync(Pending(Clock.Now, deadlineMs: soon.AddSeconds(2).ToUnixTimeMilliseconds()), [], Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.Equal(soon, await Store.GetNextDeadlineAsync(soon.AddMilliseconds(-1), Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal(soon.AddSeconds(1), await Store.GetNextDeadlineAsync(soon, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal(soon.AddSeconds(2), await Store.GetNextDeadlineAsync(soon.AddMilliseconds(1500), Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Null(await Store.GetNextDeadlineAsync(soon.AddSeconds(2), Ct).AsTask().WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task TryConsumeToken_SameJtiTwice_TrueOnlyTheFirstTime()
    {
        var expires = Clock.Now.AddMinutes(5);

        Assert.True(await Store.TryConsumeTokenAsync("jti-1", expires, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.False(await Store.TryConsumeTokenAsync("jti-1", expires, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.True(await Store.TryConsumeTokenAsync("jti-2", expires, Ct).AsTask().WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task TryConsumeToken_TwentyConcurrent_ExactlyOneTrue()
    {
        var stores = InstancesShareData ? new[] { Store, await OpenAsync() } : [Store];

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            stores[i % stores.Length].TryConsumeTokenAsync("jti-race", Clock.Now.AddMinutes(5), Ct).AsTask())).WaitAsync(Timeout, Ct);

        Assert.Single(results, r => r);
    }
}
