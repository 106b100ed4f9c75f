using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Audit;
using Xunit;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals.StoreContract;

public abstract partial class ApprovalStoreContractTests
{
    [Fact]
    public async Task Audit_EveryWrite_AppendsConsecutiveSeqsOnAValidChain()
    {
        var record = Pending(Clock.Now);
        await Store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var decision = Entries("decision", Clock.Now).Concat(Entries("approved", Clock.Now)).ToArray();
        await Store.TryUpdateAsync(Next(record, ApprovalState.Approved), 1, decision, Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.CreateAsync(Pending(Clock.Now, state: ApprovalState.Allowed), Entries("allowed", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);

        var audit = await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct);

        Assert.Equal(["created", "decision", "approved", "allowed"], audit.Select(e => e.Type));
        Assert.Equal(record.Approval.ApprovalId, audit[0].ApprovalId);
        Assert.Equal(record.Approval.ApprovalId, audit[2].ApprovalId);
        AssertValidChain(audit);
    }

    [Fact]
    public async Task Audit_ConcurrentWritersOnOneInstance_KeepOneValidChain()
    {
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Store.CreateAsync(Pending(Clock.Now), Entries("created", Clock.Now), Ct).AsTask())).WaitAsync(Timeout, Ct);

        var audit = await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct);

        Assert.Equal(200, audit.Count);
        AssertValidChain(audit);
    }

    [Fact]
    public async Task Audit_ConcurrentWritersOnTwoInstances_KeepOneValidChain()
    {
        RequireSharedInstances();
        var other = await OpenAsync();
        var stores = new[] { Store, other };

        await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            stores[i % 2].CreateAsync(Pending(Clock.Now), Entries("created", Clock.Now), Ct).AsTask())).WaitAsync(Timeout, Ct);
        var audit = await ReadAllAuditAsync(other).WaitAsync(Timeout, Ct);

        Assert.Equal(300, audit.Count);
        AssertValidChain(audit);
    }

    [Fact]
    public async Task Audit_TamperedEntry_NoLongerMatchesItsHash()
    {
        var record = Pending(Clock.Now);
        await Store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var entry = (await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct))[0];

        entry.Reason = "changed afterwards";

        Assert.NotEqual(entry.Hash, AuditChain.ComputeHash(entry));
    }

    [Fact]
    public async Task ListAudit_ByApprovalAndTimeRange_ReturnsMatchingEntriesInSeqOrderAcrossPages()
    {
        var t0 = Clock.Now;
        var a = Pending(t0);
        var b = Pending(t0);
        await Store.CreateAsync(a, Entries("created", t0), Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.CreateAsync(b, Entries("created", t0.AddSeconds(1)), Ct).AsTask().WaitAsync(Timeout, Ct);
        var current = a;
        for (var i = 1; i <= 5; i++)
        {
            var next = Next(current, ApprovalState.Pending);
            Assert.True(await Store.TryUpdateAsync(next, current.Approval.Seq, Entries("decision", t0.AddSeconds(1 + i)), Ct).AsTask().WaitAsync(Timeout, Ct));
            current = next;
        }

        var ofA = await ListAllAuditAsync(new AuditQuery(a.Approval.ApprovalId, null, null, 2, null));
        var window = await ListAllAuditAsync(new AuditQuery(null, t0.AddSeconds(1), t0.AddSeconds(4), 2, null));
        var ofAInWindow = await ListAllAuditAsync(new AuditQuery(a.Approval.ApprovalId, t0.AddSeconds(1), t0.AddSeconds(4), 1, null));

        Assert.Equal(6, ofA.Count);
        Assert.All(ofA, e => Assert.Equal(a.Approval.ApprovalId, e.ApprovalId));
        Assert.Equal(ofA.Select(e => e.Seq).Order(), ofA.Select(e => e.Seq));
        // since is inclusive, until exclusive: b's creation (t0+1s) and a's decisions at t0+2s, t0+3s.
        Assert.Equal([2L, 3, 4], window.Select(e => e.Seq));
        Assert.Equal([3L, 4], ofAInWindow.Select(e => e.Seq));
    }

    [Fact]
    public async Task ListAudit_DefaultQuery_PagesThroughEverything()
    {
        for (var i = 0; i < 7; i++)
        {
            await Store.CreateAsync(Pending(Clock.Now), Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        }

        var first = await Store.ListAuditAsync(new AuditQuery(null, null, null, 3, null), Ct).AsTask().WaitAsync(Timeout, Ct);
        var all = await ListAllAuditAsync(new AuditQuery(null, null, null, 3, null));

        Assert.Equal([1L, 2, 3], first.Events.Select(e => e.Seq));
        Assert.NotNull(first.NextPageToken);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), all.Select(e => e.Seq));
    }

    [Fact]
    public async Task ListAudit_TokenNotIssuedByStore_ThrowsSayingWhatToPass()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.ListAuditAsync(new AuditQuery(null, null, null, 10, "x7"), Ct).AsTask()).WaitAsync(Timeout, Ct);

        Assert.Contains("next_page_token", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Follows next_page_token to the end; no page may exceed the page size.</summary>
    private async Task<List<AuditEvent>> ListAllAuditAsync(AuditQuery query)
    {
        var all = new List<AuditEvent>();
        var token = query.PageToken;
        do
        {
            var page = await Store.ListAuditAsync(query with { PageToken = token }, Ct).AsTask().WaitAsync(Timeout, Ct);
            Assert.True(page.Events.Count <= query.PageSize, $"a page of {page.Events.Count} entries exceeds the page size {query.PageSize}");
            all.AddRange(page.Events);
            token = page.NextPageToken;
        }
        while (token is not null);

        return all;
    }
}
