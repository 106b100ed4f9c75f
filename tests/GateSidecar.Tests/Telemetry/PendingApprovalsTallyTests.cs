using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Sqlite;
using GateSidecar.Approvals.Stored;
using GateSidecar.Policy;
using GateSidecar.Telemetry;
using GateSidecar.Tests.Approvals;
using GateSidecar.Tests.Approvals.Functional;
using GateSidecar.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace GateSidecar.Tests.Telemetry;

/// <summary>The pending gauge's tally against a real SQLite store: seeded at start, then kept by its changes.</summary>
public sealed class PendingApprovalsTallyTests : IAsyncLifetime
{
    private readonly CompiledPolicy _policy = TestPolicies.Load();
    private readonly ApprovalStateMachine _machine = new(TimeProvider.System);
    private readonly string _path = Path.Combine(Path.GetTempPath(), "gate-tally-" + Guid.NewGuid().ToString("N") + ".db");
    private SqliteApprovalStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteApprovalStore(_path, TimeProvider.System, NullLogger<SqliteApprovalStore>.Instance);
        await _store.InitializeAsync(CancellationToken.None).WithTimeout();
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_path)!, Path.GetFileName(_path) + "*"))
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Tally_SeedsFromTheStore_ThenFollowsCreationsAndDecisions()
    {
        var before = await CreateAsync(ApprovalSidecar.Refund(900));
        using var tally = new PendingApprovalsTally(_store, () => [.. _policy.Pools.Keys], () => true, TimeProvider.System, NullLogger<PendingApprovalsTally>.Instance);
        await tally.StartAsync(CancellationToken.None).WithTimeout();
        try
        {
            await WaitForCountAsync(tally, 1);

            var after = await CreateAsync(ApprovalSidecar.Refund(900));
            await CreateAsync(ApprovalSidecar.Refund(100));
            await CreateAsync(ApprovalSidecar.Call("test.quick_escalate"));
            await WaitForCountAsync(tally, 3);
            Assert.Equal(2, CountIn(tally, "finance"));
            Assert.Equal(1, CountIn(tally, "default"));

            await DecideAsync(before, "alice", DecisionVerdict.Approve);
            await DecideAsync(after, "erin", DecisionVerdict.Reject, "not eligible");
            await WaitForCountAsync(tally, 1);
            Assert.Equal(0, CountIn(tally, "finance"));
            Assert.Equal(0, CountIn(tally, "execs"));
        }
        finally
        {
            await tally.StopAsync(CancellationToken.None).WithTimeout();
        }
    }

    private static long CountIn(PendingApprovalsTally tally, string pool)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        tally.CountByPool(counts);
        return counts[pool];
    }

    private static async Task WaitForCountAsync(PendingApprovalsTally tally, int expected)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (tally.Count != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the tally holds {tally.Count} open approvals, expected {expected}");
            await Task.Delay(10);
        }
    }

    private async Task<StoredApproval> CreateAsync(CheckRequest request)
    {
        var transition = _machine.Create(ApprovalIds.New(), request, _policy.Evaluate(request), _policy.RedactPaths, "agent:test");
        var created = await _store.CreateAsync(transition.Record, transition.Audit, CancellationToken.None).WithTimeout();
        return created.Record;
    }

    private async Task DecideAsync(StoredApproval current, string approver, DecisionVerdict verdict, string reason = "")
    {
        var decided = _machine.Decide(current, approver, new DecideRequest { ApprovalId = current.Approval.ApprovalId, Verdict = verdict, Reason = reason }, _policy);
        Assert.True(decided.Ok, decided.Error?.Message);
        var transition = decided.Value!;
        Assert.True(await _store.TryUpdateAsync(transition.Record, transition.ExpectedSeq, transition.Audit, CancellationToken.None).WithTimeout());
    }
}
