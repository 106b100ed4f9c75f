using System.Text;
using Gate.Client;
using Gate.V1;
using GateSidecar.Tests.Approvals.Functional;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Tests.Telemetry;

/// <summary>The metrics a real sequence of calls produces, as exported over OTLP/HTTP.</summary>
public sealed class MetricsExportTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Lifecycle_ExportsDecisionsLatenciesTimeoutsEscalationsPendingAndRubberStampCounters()
    {
        // No OTEL_SERVICE_NAME: the resource says "gate".
        await using var sidecar = await TracedSidecar.StartAsync((env, _) => env["OTEL_SERVICE_NAME"] = string.Empty);
        var gate = sidecar.Gate;

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Verdict.Allow, (await gate.CheckAsync(ApprovalSidecar.Refund(100)).WaitAsync(Wait)).Verdict);
        }

        var retried = ApprovalSidecar.Refund(100);
        await gate.CheckAsync(retried).WaitAsync(Wait);
        await gate.CheckAsync(retried).WaitAsync(Wait);
        Assert.Equal(Verdict.Deny, (await gate.CheckAsync(ApprovalSidecar.Refund(5_000_000)).WaitAsync(Wait)).Verdict);

        // Three large refunds decided by people: one approved as is, one edited, one rejected; one left open.
        var unchanged = await PendingAsync(gate, ApprovalSidecar.Refund(900));
        var edited = await PendingAsync(gate, ApprovalSidecar.Refund(900));
        var rejected = await PendingAsync(gate, ApprovalSidecar.Refund(900));
        await PendingAsync(gate, ApprovalSidecar.Refund(900));
        await sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = unchanged, Verdict = DecisionVerdict.Approve }).WaitAsync(Wait);
        var edit = new Struct { Fields = { ["amount"] = Value.ForNumber(800), ["customer_id"] = Value.ForString("c-42"), ["card_number"] = Value.ForString("***") } };
        await sidecar.As("bob").DecideAsync(new DecideRequest { ApprovalId = edited, Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edit }).WaitAsync(Wait);
        await sidecar.As("erin").DecideAsync(new DecideRequest { ApprovalId = rejected, Verdict = DecisionVerdict.Reject, Reason = "duplicate refund" }).WaitAsync(Wait);
        var late = await Assert.ThrowsAsync<RpcException>(() => sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = rejected, Verdict = DecisionVerdict.Approve }).WaitAsync(Wait));
        Assert.Equal(StatusCode.FailedPrecondition, late.Status);

        // Deadlines: quick-deny expires; quick-escalate escalates to execs, then expires there.
        await PendingAsync(gate, ApprovalSidecar.Call("test.quick_deny"));
        await PendingAsync(gate, ApprovalSidecar.Call("test.quick_escalate"));

        var metrics = await sidecar.Receiver.WaitForMetricsAsync(
            m => m.Total("gate.approval.timeouts") >= 3 && m.Total("gate.rule.decided") >= 3 && m.Total("gate.approval.time_to_decision") >= 5
                && m.Total("gate.approvals.pending") == 1 && m.Total("gate.decision.duration") >= 4,
            Wait,
            "three timeouts, three decisions, five closed approvals and one left pending");

        Assert.Equal("gate", metrics.Resource?.Attributes.Single(a => a.Key == "service.name").Value.StringValue);

        // Policy decisions: a retried call_id counts once.
        Assert.Equal(4, metrics.Total("gate.decisions", ("gate.tier", "auto"), ("gate.verdict", "allow"), ("gate.rule", "small-refund")));
        Assert.Equal(1, metrics.Total("gate.decisions", ("gate.tier", "block"), ("gate.verdict", "deny"), ("gate.rule", "forbidden-refund")));
        Assert.Equal(4, metrics.Total("gate.decisions", ("gate.tier", "single"), ("gate.verdict", "pending"), ("gate.rule", "large-refund")));

        // Check latency: every Check answered, in seconds, with a plausible sum.
        var auto = Assert.Single(metrics.Series("gate.check.duration", ("gate.tier", "auto"), ("gate.verdict", "allow")));
        Assert.Equal(("s", 5UL), (auto.Unit, auto.Count));
        Assert.InRange(auto.Sum, 1e-7, 5);
        Assert.Equal(12, metrics.Total("gate.check.duration"));

        // Decision latency inside Gate: each Decide once, by the verdict asked for; a refused one with its error.
        var approve = Assert.Single(metrics.Series("gate.decision.duration", ("gate.decision.verdict", "approve")), p => !p.Attributes.ContainsKey("error.type"));
        Assert.Equal(("s", 1UL), (approve.Unit, approve.Count));
        Assert.InRange(approve.Sum, 1e-7, 5);
        Assert.Equal(1, metrics.Total("gate.decision.duration", ("gate.decision.verdict", "edit_and_approve")));

        // Both latency histograms resolve 1-100 ms, where calls and the overhead target (20 ms) lie,
        // in steps of at most 1.5x, so a p99 read from the buckets is within half a step.
        foreach (var series in new[] { auto, approve })
        {
            var bounds = series.Bounds ?? [];
            Assert.Contains(0.02, bounds);
            var steps = bounds.Zip(bounds.Skip(1)).Where(b => b.First >= 0.001 && b.Second <= 0.1).ToList();
            Assert.True(steps.Count >= 10, $"{series.Name}: too few bounds between 1 and 100 ms: {string.Join(", ", bounds)}");
            Assert.All(steps, b => Assert.True(b.Second / b.First <= 1.5 + 1e-9, $"{series.Name}: step {b.First} -> {b.Second} s is coarser than 1.5x"));
        }
        Assert.Equal(1, metrics.Total("gate.decision.duration", ("gate.decision.verdict", "reject")));
        Assert.Equal(1, metrics.Total("gate.decision.duration", ("gate.decision.verdict", "approve"), ("error.type", "failed_precondition")));

        // Human outcomes per rule, and the rubber-stamp tallies.
        Assert.Equal(2, metrics.Total("gate.rule.decided", ("gate.rule", "large-refund"), ("gate.approval.state", "approved")));
        Assert.Equal(1, metrics.Total("gate.rule.decided", ("gate.rule", "large-refund"), ("gate.approval.state", "rejected")));
        Assert.Equal(1, metrics.Total("gate.rule.approved_unchanged", ("gate.rule", "large-refund")));
        var decisionTimes = Assert.Single(metrics.Series("gate.approval.time_to_decision", ("gate.rule", "large-refund"), ("gate.approval.state", "approved")));
        Assert.Equal(2UL, decisionTimes.Count);
        Assert.InRange(decisionTimes.Sum, 0, 60);

        // Timeouts and escalations.
        Assert.Equal(2, metrics.Total("gate.approval.timeouts", ("gate.approval.state", "expired")));
        Assert.Equal(1, metrics.Total("gate.approval.timeouts", ("gate.rule", "quick-escalate"), ("gate.approval.state", "escalated")));
        Assert.Equal(1, metrics.Total("gate.approval.escalations", ("gate.rule", "quick-escalate"), ("gate.escalation.cause", "timer"), ("gate.pool", "execs")));
        var expired = Assert.Single(metrics.Series("gate.approval.time_to_decision", ("gate.rule", "quick-deny"), ("gate.approval.state", "expired")));
        Assert.InRange(expired.Sum, 0.4, 30);

        // The one approval still open, in its pool; other pools report 0.
        Assert.Equal(1, metrics.Total("gate.approvals.pending", ("gate.pool", "finance")));
        Assert.Equal(0, metrics.Total("gate.approvals.pending", ("gate.pool", "execs")));

        // Store operations are measured; none failed.
        Assert.True(metrics.Total("gate.store.duration", ("db.system.name", "sqlite"), ("db.operation.name", "create")) >= 12);
        Assert.Empty(metrics.Series("gate.store.errors"));

        var bodies = sidecar.Receiver.Bodies();
        Assert.All(bodies, b => Assert.True(b.AsSpan().IndexOf(Encoding.UTF8.GetBytes("4111111111111111")) < 0, "a metrics body contains the redacted card number"));
    }

    [Fact]
    public async Task RuntimeAndKestrelInstruments_AreExportedBesideGates()
    {
        await using var sidecar = await TracedSidecar.StartAsync((_, _) => { });
        Assert.Equal(Verdict.Allow, (await sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(100)).WaitAsync(Wait)).Verdict);

        // The client's connection is still open: Kestrel counts it while the runtime reports its GC
        // and thread pool, in the same exports as Gate's own instruments.
        var metrics = await sidecar.Receiver.WaitForMetricsAsync(
            m => m.Total("kestrel.active_connections") >= 1 && m.Series("dotnet.gc.pause.time").Count > 0 && m.Total("gate.decisions") >= 1,
            Wait,
            "kestrel.active_connections of at least 1, dotnet.gc.pause.time and gate.decisions");

        Assert.Equal(["gen0", "gen1", "gen2"], metrics.Series("dotnet.gc.collections").Select(p => p.Attributes["gc.heap.generation"]).Where(g => g.StartsWith("gen", StringComparison.Ordinal)).Order());
        Assert.Equal("s", Assert.Single(metrics.Series("dotnet.gc.pause.time")).Unit);
        Assert.NotEmpty(metrics.Series("dotnet.thread_pool.queue.length"));
        Assert.True(metrics.Total("dotnet.thread_pool.thread.count") >= 1, "the thread pool reports no thread");
        Assert.True(metrics.Total("dotnet.process.cpu.time") > 0, "the process reports no CPU time");
        Assert.Equal(1, metrics.Total("gate.decisions"));
        Assert.Empty(metrics.Series("kestrel.queued_requests"));
    }

    private static async Task<string> PendingAsync(Gate.Client.GateClient gate, CheckRequest request)
    {
        var response = await gate.CheckAsync(request).WaitAsync(Wait);
        Assert.Equal(Verdict.Pending, response.Verdict);
        return response.ApprovalId;
    }
}
