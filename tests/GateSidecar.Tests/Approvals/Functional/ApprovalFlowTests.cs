using Gate.Client;
using Gate.V1;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Tests.Approvals.Functional;

/// <summary>
/// The approval lifecycle over real gRPC against the whole sidecar. Each store runs the same tests
/// (see the concrete classes at the end of this file).
/// </summary>
public abstract class ApprovalFlowTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private ApprovalSidecar _sidecar = null!;

    internal ApprovalSidecar Sidecar => _sidecar;

    internal abstract Task<ApprovalSidecar> StartSidecarAsync();

    public async ValueTask InitializeAsync() => _sidecar = await StartSidecarAsync();

    public async ValueTask DisposeAsync() => await _sidecar.DisposeAsync();

    private GateClient Gate => _sidecar.Gate;

    private static DecideRequest Decision(string id, DecisionVerdict verdict, string reason = "") => new() { ApprovalId = id, Verdict = verdict, Reason = reason };

    private async Task<string> PendingAsync(CheckRequest request)
    {
        var response = await Gate.CheckAsync(request).WaitAsync(Wait);
        Assert.Equal(Verdict.Pending, response.Verdict);
        return response.ApprovalId;
    }

    [Fact]
    public async Task Check_AutoTier_AllowsAtOnceWithToken()
    {
        var response = await Gate.CheckAsync(ApprovalSidecar.Refund(100)).WaitAsync(Wait);
        Assert.Equal((Verdict.Allow, RiskTier.Auto, "small-refund"), (response.Verdict, response.Tier, response.Rule));
        Assert.Equal(GateSidecar.Approvals.ApprovalIds.Length, response.ApprovalId.Length);
        Assert.Equal(3, response.Token.Split('.').Length);
        Assert.Contains("args.amount 100", response.Reason);
    }

    [Fact]
    public async Task Guard_BlockTier_StreamsExactlyOneDeniedEvent()
    {
        var events = await EventStreams.CollectAsync(Gate.Guard(ApprovalSidecar.Refund(5_000_000))).WaitAsync(Wait);
        var only = Assert.Single(events);
        Assert.Equal(ApprovalState.Denied, only.State);
        Assert.Equal("forbidden-refund", only.Approval.Rule);
    }

    [Fact]
    public async Task Check_MissingCallIdOrTool_IsInvalidArgumentAndRecordsNothing()
    {
        var noCall = await Assert.ThrowsAsync<RpcException>(() => Gate.CheckAsync(new CheckRequest { Tool = "payments.refund" })).WaitAsync(Wait);
        Assert.Equal(StatusCode.InvalidArgument, noCall.Status);
        Assert.Contains("call_id is required", noCall.Detail);
        var noTool = await Assert.ThrowsAsync<RpcException>(() => Gate.CheckAsync(new CheckRequest { CallId = "x" })).WaitAsync(Wait);
        Assert.Contains("tool is required", noTool.Detail);
        var audit = await new AuditClient(_sidecar.Channel).ListEventsAsync(new ListEventsRequest()).WaitAsync(Wait);
        Assert.Empty(audit.Events);
    }

    [Fact]
    public async Task Check_RetriedCallId_ReturnsTheSameApproval()
    {
        var request = ApprovalSidecar.Refund(900);
        var first = await Gate.CheckAsync(request).WaitAsync(Wait);
        var again = await Gate.CheckAsync(request).WaitAsync(Wait);
        Assert.Equal(first.ApprovalId, again.ApprovalId);
        var otherTenant = await Gate.CheckAsync(ApprovalSidecar.Refund(900, request.CallId, tenant: "globex")).WaitAsync(Wait);
        Assert.NotEqual(first.ApprovalId, otherTenant.ApprovalId);
        var audit = await new AuditClient(_sidecar.Channel).ListEventsAsync(new ListEventsRequest { ApprovalId = first.ApprovalId }).WaitAsync(Wait);
        Assert.Single(audit.Events, e => e.Type == "created");
    }

    [Fact]
    public async Task Guard_Approve_StreamsPendingThenApprovedWithToken()
    {
        var request = ApprovalSidecar.Refund(900);
        var stream = Gate.Guard(request).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(Wait));
        var pending = stream.Current;
        Assert.Equal((ApprovalState.Pending, "finance", 1L), (pending.State, pending.Approval.Pool, pending.Seq));
        Assert.Equal("4111111111111111", pending.Approval.Request.Arguments.Fields["card_number"].StringValue);

        var decided = await _sidecar.As("alice").DecideAsync(Decision(pending.ApprovalId, DecisionVerdict.Approve)).WaitAsync(Wait);
        Assert.Equal(ApprovalState.Approved, decided.State);
        Assert.Equal(Redactor_Mask, decided.Request.Arguments.Fields["card_number"].StringValue);
        Assert.Empty(decided.Token);

        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(Wait));
        var approved = stream.Current;
        Assert.Equal((ApprovalState.Approved, "approver:alice"), (approved.State, approved.Actor));
        Assert.True(approved.Seq > pending.Seq);
        Assert.NotEmpty(approved.Approval.Token);
        Assert.False(await stream.MoveNextAsync().AsTask().WaitAsync(Wait));
        await stream.DisposeAsync();
    }

    private const string Redactor_Mask = "***";

    [Fact]
    public async Task Decide_RejectNeedsReason_ThenRejectEndsTheStream()
    {
        var id = await PendingAsync(ApprovalSidecar.Refund(900));
        var bob = _sidecar.As("bob");
        var noReason = await Assert.ThrowsAsync<RpcException>(() => bob.DecideAsync(Decision(id, DecisionVerdict.Reject))).WaitAsync(Wait);
        Assert.Equal(StatusCode.InvalidArgument, noReason.Status);
        Assert.Equal(ApprovalState.Pending, (await Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(Wait)).State);

        var rejected = await bob.DecideAsync(Decision(id, DecisionVerdict.Reject, "customer already refunded")).WaitAsync(Wait);
        Assert.Equal(ApprovalState.Rejected, rejected.State);
        var events = await EventStreams.CollectAsync(Gate.Watch(new WatchRequest { ApprovalId = id })).WaitAsync(Wait);
        Assert.Equal(ApprovalState.Rejected, Assert.Single(events).State);
        var late = await Assert.ThrowsAsync<RpcException>(() => _sidecar.As("alice").DecideAsync(Decision(id, DecisionVerdict.Approve))).WaitAsync(Wait);
        Assert.Equal(StatusCode.FailedPrecondition, late.Status);
    }

    [Fact]
    public async Task Decide_EditAndApprove_GuardReceivesTheEditedArguments()
    {
        var request = ApprovalSidecar.Refund(900);
        var guard = Task.Run(() => EventStreams.CollectAsync(Gate.Guard(request)));
        var id = await WaitForPendingAsync(request.CallId);
        var edited = new Struct
        {
            Fields =
            {
                ["amount"] = Value.ForNumber(750),
                ["customer_id"] = Value.ForString("c-42"),
                ["card_number"] = Value.ForString(Redactor_Mask),
            },
        };
        var decided = await _sidecar.As("bob").DecideAsync(new DecideRequest { ApprovalId = id, Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edited, Reason = "partial refund" }).WaitAsync(Wait);
        Assert.True(decided.Edited);
        Assert.Contains(decided.Diff, op => op.Op == "replace" && op.Path == "/amount" && op.Value.NumberValue == 750);

        var events = await guard.WaitAsync(Wait);
        var last = events[^1];
        Assert.Equal(ApprovalState.Approved, last.State);
        Assert.Equal(750, last.Approval.FinalArguments.Fields["amount"].NumberValue);
        Assert.Equal("4111111111111111", last.Approval.FinalArguments.Fields["card_number"].StringValue);
    }

    [Fact]
    public async Task Decide_EditIntoBlock_IsPermissionDeniedAndChangesNothing()
    {
        var id = await PendingAsync(ApprovalSidecar.Refund(900));
        var edited = new Struct { Fields = { ["amount"] = Value.ForNumber(9_000_000) } };
        var error = await Assert.ThrowsAsync<RpcException>(() => _sidecar.As("bob").DecideAsync(new DecideRequest { ApprovalId = id, Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edited })).WaitAsync(Wait);
        Assert.Equal(StatusCode.PermissionDenied, error.Status);
        var after = await Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(Wait);
        Assert.Equal((ApprovalState.Pending, 1L, false), (after.State, after.Seq, after.Edited));
    }

    [Fact]
    public async Task Quorum_NeedsDistinctApprovers()
    {
        var id = await PendingAsync(ApprovalSidecar.Refund(20_000));
        var first = await _sidecar.As("alice").DecideAsync(Decision(id, DecisionVerdict.Approve)).WaitAsync(Wait);
        Assert.Equal((ApprovalState.Pending, 2), (first.State, first.Quorum));
        var twice = await Assert.ThrowsAsync<RpcException>(() => _sidecar.As("alice").DecideAsync(Decision(id, DecisionVerdict.Approve))).WaitAsync(Wait);
        Assert.Equal(StatusCode.FailedPrecondition, twice.Status);
        var second = await _sidecar.As("erin").DecideAsync(Decision(id, DecisionVerdict.Approve)).WaitAsync(Wait);
        Assert.Equal(ApprovalState.Approved, second.State);
        Assert.Equal(["alice", "erin"], second.Decisions.Select(d => d.Approver));
    }

    [Fact]
    public async Task Decide_SelfApprovalAndOutsidePool_ArePermissionDenied()
    {
        var id = await PendingAsync(ApprovalSidecar.Refund(900, onBehalfOf: "alice"));
        var self = await Assert.ThrowsAsync<RpcException>(() => _sidecar.As("alice").DecideAsync(Decision(id, DecisionVerdict.Approve))).WaitAsync(Wait);
        Assert.Equal(StatusCode.PermissionDenied, self.Status);
        Assert.Contains("own behalf", self.Detail);
        var outside = await Assert.ThrowsAsync<RpcException>(() => _sidecar.As("carol").DecideAsync(Decision(id, DecisionVerdict.Approve))).WaitAsync(Wait);
        Assert.Equal(StatusCode.PermissionDenied, outside.Status);
        Assert.Contains("pool 'finance'", outside.Detail);
    }

    [Fact]
    public async Task Approvals_MissingOrUnknownToken_IsUnauthenticated_UnknownId_IsNotFound()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(() => new ApprovalsClient(_sidecar.Channel, "not-a-token").ListPendingAsync(new ListPendingRequest())).WaitAsync(Wait);
        Assert.Equal(StatusCode.Unauthenticated, unknown.Status);
        var missing = await Assert.ThrowsAsync<RpcException>(() => GrpcCall.UnaryAsync(_sidecar.Channel, "/gate.v1.Approvals/ListPending", new ListPendingRequest(), ListPendingResponse.Parser)).WaitAsync(Wait);
        Assert.Equal(StatusCode.Unauthenticated, missing.Status);
        var notFound = await Assert.ThrowsAsync<RpcException>(() => _sidecar.As("alice").DecideAsync(Decision("0123456789abcdef0123456789abcdef", DecisionVerdict.Approve))).WaitAsync(Wait);
        Assert.Equal(StatusCode.NotFound, notFound.Status);
        var watch = await Assert.ThrowsAsync<RpcException>(() => EventStreams.CollectAsync(Gate.Watch(new WatchRequest { ApprovalId = "nope" }))).WaitAsync(Wait);
        Assert.Equal(StatusCode.NotFound, watch.Status);
    }

    [Fact]
    public async Task EscalateByHand_MovesToTheNextPool()
    {
        var id = await PendingAsync(ApprovalSidecar.Refund(900));
        var noReason = await Assert.ThrowsAsync<RpcException>(() => _sidecar.As("alice").DecideAsync(Decision(id, DecisionVerdict.Escalate))).WaitAsync(Wait);
        Assert.Equal(StatusCode.InvalidArgument, noReason.Status);
        var escalated = await _sidecar.As("alice").DecideAsync(Decision(id, DecisionVerdict.Escalate, "needs a lead")).WaitAsync(Wait);
        Assert.Equal((ApprovalState.Escalated, "finance-leads", 1), (escalated.State, escalated.Pool, escalated.EscalationLevel));
        var listed = await _sidecar.As("carol").ListPendingAsync(new ListPendingRequest()).WaitAsync(Wait);
        Assert.Contains(listed.Approvals, a => a.ApprovalId == id);
        var bob = await Assert.ThrowsAsync<RpcException>(() => _sidecar.As("bob").DecideAsync(Decision(id, DecisionVerdict.Approve))).WaitAsync(Wait);
        Assert.Equal(StatusCode.PermissionDenied, bob.Status);
        Assert.Equal(ApprovalState.Approved, (await _sidecar.As("carol").DecideAsync(Decision(id, DecisionVerdict.Approve)).WaitAsync(Wait)).State);
    }

    [Fact]
    public async Task EscalateWithoutLadder_FailsPrecondition()
    {
        var id = await PendingAsync(ApprovalSidecar.Call("unknown.tool"));
        var error = await Assert.ThrowsAsync<RpcException>(() => _sidecar.As("alice").DecideAsync(Decision(id, DecisionVerdict.Escalate, "up"))).WaitAsync(Wait);
        Assert.Equal(StatusCode.FailedPrecondition, error.Status);
    }

    [Fact]
    public async Task Timeout_Deny_ExpiresAndGuardEnds()
    {
        var events = await EventStreams.CollectAsync(Gate.Guard(ApprovalSidecar.Call("test.quick_deny"))).WaitAsync(Wait);
        Assert.Equal([ApprovalState.Pending, ApprovalState.Expired], events.Select(e => e.State));
        Assert.Equal("timer", events[^1].Actor);
        Assert.Empty(events[^1].Approval.Token);
    }

    [Fact]
    public async Task Timeout_Escalate_MovesPoolThenExpires()
    {
        var events = await EventStreams.CollectAsync(Gate.Guard(ApprovalSidecar.Call("test.quick_escalate"))).WaitAsync(Wait);
        Assert.Equal([ApprovalState.Pending, ApprovalState.Escalated, ApprovalState.Expired], events.Select(e => e.State));
        Assert.Equal("execs", events[1].Approval.Pool);
    }

    [Fact]
    public async Task Cancel_PendingIsCancelled_TerminalFailsPrecondition()
    {
        var id = await PendingAsync(ApprovalSidecar.Refund(900));
        var cancelled = await Gate.CancelAsync(new CancelRequest { ApprovalId = id, Reason = "user withdrew" }).WaitAsync(Wait);
        Assert.Equal(ApprovalState.Cancelled, cancelled.State);
        var again = await Assert.ThrowsAsync<RpcException>(() => Gate.CancelAsync(new CancelRequest { ApprovalId = id })).WaitAsync(Wait);
        Assert.Equal(StatusCode.FailedPrecondition, again.Status);
    }

    [Fact]
    public async Task Watch_ReattachesAfterTheGuardStreamIsGone()
    {
        var request = ApprovalSidecar.Refund(900);
        using (var cts = new CancellationTokenSource())
        {
            var stream = Gate.Guard(request, new CallOptions(cancellationToken: cts.Token)).GetAsyncEnumerator();
            Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(Wait));
            await cts.CancelAsync();
            await stream.DisposeAsync();
        }

        var id = (await Gate.CheckAsync(request).WaitAsync(Wait)).ApprovalId;
        var watch = Gate.Watch(new WatchRequest { ApprovalId = id }).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal((ApprovalState.Pending, 1L), (watch.Current.State, watch.Current.Seq));
        await _sidecar.As("bob").DecideAsync(Decision(id, DecisionVerdict.Approve)).WaitAsync(Wait);
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal(ApprovalState.Approved, watch.Current.State);
        Assert.False(await watch.MoveNextAsync().AsTask().WaitAsync(Wait));
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task ConcurrentConflictingDecisions_ExactlyOneWins()
    {
        var id = await PendingAsync(ApprovalSidecar.Refund(900));
        var approvers = new[] { "alice", "bob", "erin" };
        var tasks = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var who = approvers[i % approvers.Length];
            var verdict = i % 2 == 0 ? Decision(id, DecisionVerdict.Approve) : Decision(id, DecisionVerdict.Reject, "conflict " + i);
            try
            {
                await _sidecar.As(who).DecideAsync(verdict);
                return StatusCode.OK;
            }
            catch (RpcException ex)
            {
                return ex.Status;
            }
        })).ToArray();
        var codes = await Task.WhenAll(tasks).WaitAsync(Wait);
        Assert.Equal(1, codes.Count(c => c == StatusCode.OK));
        Assert.All(codes.Where(c => c != StatusCode.OK), c => Assert.Equal(StatusCode.FailedPrecondition, c));
        var final = await Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(Wait);
        Assert.Single(final.Decisions);
        Assert.Equal(2L, final.Seq);
    }

    [Fact]
    public async Task ListPending_ShowsOnlyTheCallersPoolsRedacted_GateShowsTheAgentItsOwnArguments()
    {
        var id = await PendingAsync(ApprovalSidecar.Refund(900));
        var alice = await _sidecar.As("alice").ListPendingAsync(new ListPendingRequest { Pool = "finance" }).WaitAsync(Wait);
        var card = Assert.Single(alice.Approvals, a => a.ApprovalId == id);
        Assert.Equal(Redactor_Mask, card.Request.Arguments.Fields["card_number"].StringValue);
        Assert.Contains(card.Impact, i => i.Label == "args.amount" && i.Value == "900");
        var carol = await _sidecar.As("carol").ListPendingAsync(new ListPendingRequest()).WaitAsync(Wait);
        Assert.DoesNotContain(carol.Approvals, a => a.ApprovalId == id);
        var foreign = await Assert.ThrowsAsync<RpcException>(() => _sidecar.As("carol").ListPendingAsync(new ListPendingRequest { Pool = "finance" })).WaitAsync(Wait);
        Assert.Equal(StatusCode.PermissionDenied, foreign.Status);
        var own = await Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(Wait);
        Assert.Equal("4111111111111111", own.Request.Arguments.Fields["card_number"].StringValue);
    }

    [Fact]
    public async Task StreamPending_DeliversNewApprovalsOfThePool()
    {
        using var cts = new CancellationTokenSource(Wait);
        var feed = _sidecar.As("alice").StreamPending(new StreamPendingRequest { Pool = "finance" }, new CallOptions(cancellationToken: cts.Token)).GetAsyncEnumerator();
        string? id = null;
        Assert.True(await EventStreams.FirstEventAsync(feed, async () => id = (await Gate.CheckAsync(ApprovalSidecar.Refund(900))).ApprovalId, Wait));
        Assert.Equal(ApprovalState.Pending, feed.Current.State);
        Assert.Equal(Redactor_Mask, feed.Current.Approval.Request.Arguments.Fields["card_number"].StringValue);
        Assert.NotNull(id);
        await cts.CancelAsync();
        await feed.DisposeAsync();
    }

    [Fact]
    public async Task StreamPending_ABurstAmongUnrelatedChanges_ArrivesWhole_AndTheLastIsNotHeldBack()
    {
        using var cts = new CancellationTokenSource(Wait);
        var feed = _sidecar.As("alice").StreamPending(new StreamPendingRequest { Pool = "finance" }, new CallOptions(cancellationToken: cts.Token)).GetAsyncEnumerator();
        Assert.True(await EventStreams.FirstEventAsync(feed, () => Gate.CheckAsync(ApprovalSidecar.Refund(900)), Wait));

        // 150 approvals of the pool and 150 auto-pass calls (changes the stream does not show), all
        // at once: more than one flush's worth, queued behind each other.
        var calls = Enumerable.Range(0, 300).Select(i => Gate.CheckAsync(ApprovalSidecar.Refund(i % 2 == 0 ? 900 + i : 50)).WaitAsync(Wait));
        var responses = await Task.WhenAll(calls);
        var expected = responses.Where(r => r.Verdict == Verdict.Pending).Select(r => r.ApprovalId).ToHashSet();
        Assert.Equal(150, expected.Count);

        // Then one more, followed at once by an unrelated change: it must arrive without waiting for a later one.
        var last = (await Gate.CheckAsync(ApprovalSidecar.Refund(950)).WaitAsync(Wait)).ApprovalId;
        await Gate.CheckAsync(ApprovalSidecar.Refund(50)).WaitAsync(Wait);
        expected.Add(last);

        while (expected.Count > 0)
        {
            Assert.True(await feed.MoveNextAsync().AsTask().WaitAsync(Wait), $"the stream ended with {expected.Count} approvals not delivered");
            Assert.Equal(ApprovalState.Pending, feed.Current.State);
            expected.Remove(feed.Current.ApprovalId);
        }

        await cts.CancelAsync();
        await feed.DisposeAsync();
    }

    [Fact]
    public async Task DecideBatch_ReportsPerItemResults()
    {
        var a = await PendingAsync(ApprovalSidecar.Refund(900));
        var b = await PendingAsync(ApprovalSidecar.Refund(901));
        var result = await _sidecar.As("alice").DecideBatchAsync(new DecideBatchRequest { ApprovalIds = { a, b, "0123456789abcdef0123456789abcdef" }, Verdict = DecisionVerdict.Approve }).WaitAsync(Wait);
        Assert.Equal([0, 0, (int)StatusCode.NotFound], result.Results.Select(r => r.Code));
        Assert.All(result.Results.Take(2), r => Assert.Equal(ApprovalState.Approved, r.Approval.State));
    }

    [Fact]
    public async Task ReportOutcome_ConsumesTheTokenOnce_AndRefusesOtherArguments()
    {
        var allowed = await Gate.CheckAsync(ApprovalSidecar.Refund(50)).WaitAsync(Wait);
        var other = new Struct { Fields = { ["amount"] = Value.ForNumber(5000) } };
        var mismatch = await Assert.ThrowsAsync<RpcException>(() => Gate.ReportOutcomeAsync(new ReportOutcomeRequest { Token = allowed.Token, Outcome = Outcome.Succeeded, ExecutedArguments = other })).WaitAsync(Wait);
        Assert.Equal(StatusCode.PermissionDenied, mismatch.Status);

        var request = ApprovalSidecar.Refund(50);
        var reported = await Gate.ReportOutcomeAsync(new ReportOutcomeRequest { Token = allowed.Token, Outcome = Outcome.Succeeded, Detail = "refund r-9", ExecutedArguments = ApprovalSidecar.Refund(50).Arguments }).WaitAsync(Wait);
        Assert.Equal(ApprovalState.Executed, reported.Approval.State);
        var twice = await Assert.ThrowsAsync<RpcException>(() => Gate.ReportOutcomeAsync(new ReportOutcomeRequest { Token = allowed.Token, Outcome = Outcome.Succeeded })).WaitAsync(Wait);
        Assert.Equal(StatusCode.AlreadyExists, twice.Status);
        var forged = await Assert.ThrowsAsync<RpcException>(() => Gate.ReportOutcomeAsync(new ReportOutcomeRequest { Token = allowed.Token[..^4] + "AAAA", Outcome = Outcome.Succeeded })).WaitAsync(Wait);
        Assert.Equal(StatusCode.PermissionDenied, forged.Status);
        _ = request;
    }

    [Fact]
    public async Task Audit_ChainVerifiesAfterAFlow_AndListsEventsOfOneApproval()
    {
        var id = await PendingAsync(ApprovalSidecar.Refund(900));
        await _sidecar.As("alice").DecideAsync(Decision(id, DecisionVerdict.Approve)).WaitAsync(Wait);
        var audit = new AuditClient(_sidecar.Channel);
        var events = await audit.ListEventsAsync(new ListEventsRequest { ApprovalId = id }).WaitAsync(Wait);
        Assert.Equal(["created", "decision", "approved"], events.Events.Select(e => e.Type));
        var verify = await audit.VerifyAsync(new VerifyRequest()).WaitAsync(Wait);
        Assert.True(verify.Ok, verify.Detail);
        Assert.True(verify.EntriesChecked >= 3);
    }

    private async Task<string> WaitForPendingAsync(string callId)
    {
        for (var i = 0; i < 200; i++)
        {
            var listed = await _sidecar.As("alice").ListPendingAsync(new ListPendingRequest()).WaitAsync(Wait);
            var found = listed.Approvals.FirstOrDefault(a => a.Request.CallId == callId);
            if (found is not null)
            {
                return found.ApprovalId;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"no pending approval for call {callId}");
    }
}

public sealed class SqliteApprovalFlowTests : ApprovalFlowTests
{
    internal override Task<ApprovalSidecar> StartSidecarAsync() => ApprovalSidecar.StartAsync();
}

public sealed class RedisApprovalFlowTests : ApprovalFlowTests
{
    internal override async Task<ApprovalSidecar> StartSidecarAsync()
    {
        var redis = await Infrastructure.RedisServer.StartAsync();
        var sidecar = await ApprovalSidecar.StartAsync(redis: redis.Endpoint);
        sidecar.Owned.Add(redis);
        return sidecar;
    }
}
