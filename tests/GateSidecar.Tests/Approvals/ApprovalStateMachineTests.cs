using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;
using GateSidecar.Policy;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Tests.Approvals;

public sealed class ApprovalStateMachineTests
{
    private readonly ManualClock _clock = new();
    private readonly CompiledPolicy _policy = TestPolicies.Load();
    private readonly ApprovalStateMachine _machine;

    public ApprovalStateMachineTests() => _machine = new ApprovalStateMachine(_clock);

    private static CheckRequest Refund(double amount, string onBehalfOf = "zoe") => new()
    {
        CallId = "call-" + amount,
        Tool = "payments.refund",
        Agent = new AgentContext { AgentId = "agent-1", Tenant = "acme", OnBehalfOf = onBehalfOf },
        Arguments = new Struct
        {
            Fields =
            {
                ["amount"] = Value.ForNumber(amount),
                ["customer_id"] = Value.ForString("c-42"),
                ["card_number"] = Value.ForString("4111111111111111"),
            },
        },
    };

    private StoredApproval Create(CheckRequest request)
    {
        var decision = _policy.Evaluate(request);
        return _machine.Create("a1", request, decision, _policy.RedactPaths, "agent:agent-1").Record;
    }

    private static DecideRequest Verdict(DecisionVerdict verdict, string reason = "") => new() { ApprovalId = "a1", Verdict = verdict, Reason = reason };

    [Fact]
    public void Create_AutoTier_IsAllowedWithAuditEntries()
    {
        var request = Refund(100);
        var t = _machine.Create("a1", request, _policy.Evaluate(request), _policy.RedactPaths, "agent:agent-1");
        Assert.Equal(ApprovalState.Allowed, t.Record.Approval.State);
        Assert.True(t.NeedsToken);
        Assert.Equal(["created", "allowed"], t.Audit.Select(a => a.Type));
        Assert.Equal(64, t.Record.ArgsSha256.Length);
    }

    [Fact]
    public void Create_BlockTier_IsDenied()
    {
        var request = Refund(2_000_000);
        var t = _machine.Create("a1", request, _policy.Evaluate(request), _policy.RedactPaths, "agent:agent-1");
        Assert.Equal(ApprovalState.Denied, t.Record.Approval.State);
        Assert.Equal("forbidden-refund", t.Record.Approval.Rule);
        Assert.False(t.NeedsToken);
    }

    [Fact]
    public void Create_SingleTier_IsPendingWithDeadlineLadderAndRedactedImpact()
    {
        var record = Create(Refund(900));
        var a = record.Approval;
        Assert.Equal(ApprovalState.Pending, a.State);
        Assert.Equal("finance", a.Pool);
        Assert.Equal(1, a.Quorum);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(2), a.Deadline.ToDateTimeOffset());
        Assert.True(record.EscalateOnTimeout);
        Assert.Equal(["finance-leads", "execs"], record.Ladder.Select(l => l.Pool));
        Assert.Contains(a.Impact, i => i.Label == "args.amount" && i.Value == "900");
        Assert.Contains(a.Impact, i => i.Label == "args.card_number" && i.Value == Redactor.Mask);
    }

    [Fact]
    public void Decide_Approve_SingleTier_Approves()
    {
        var t = _machine.Decide(Create(Refund(900)), "alice", Verdict(DecisionVerdict.Approve), _policy);
        Assert.True(t.Ok);
        Assert.Equal(ApprovalState.Approved, t.Value!.Record.Approval.State);
        Assert.Equal(2, t.Value.Record.Approval.Seq);
        Assert.Equal(1L, t.Value.ExpectedSeq);
        Assert.True(t.Value.NeedsToken);
        Assert.Equal(["decision", "approved"], t.Value.Audit.Select(e => e.Type));
    }

    [Fact]
    public void Decide_RejectWithoutReason_IsInvalid()
    {
        var t = _machine.Decide(Create(Refund(900)), "alice", Verdict(DecisionVerdict.Reject), _policy);
        Assert.Equal(ApprovalErrorKind.InvalidArgument, t.Error!.Kind);
    }

    [Fact]
    public void Decide_Reject_EndsTheApproval()
    {
        var t = _machine.Decide(Create(Refund(900)), "alice", Verdict(DecisionVerdict.Reject, "wrong customer"), _policy);
        Assert.Equal(ApprovalState.Rejected, t.Value!.Record.Approval.State);
        Assert.Equal(0, t.Value.Record.DeadlineUnixMs);
    }

    [Fact]
    public void Decide_OutsideThePool_IsPermissionDenied()
    {
        var t = _machine.Decide(Create(Refund(900)), "carol", Verdict(DecisionVerdict.Approve), _policy);
        Assert.Equal(ApprovalErrorKind.PermissionDenied, t.Error!.Kind);
        Assert.Contains("not a member of pool 'finance'", t.Error.Message);
    }

    [Fact]
    public void Decide_SelfApproval_IsPermissionDenied()
    {
        var t = _machine.Decide(Create(Refund(900, onBehalfOf: "alice")), "alice", Verdict(DecisionVerdict.Approve), _policy);
        Assert.Equal(ApprovalErrorKind.PermissionDenied, t.Error!.Kind);
        Assert.Contains("own behalf", t.Error.Message);
    }

    [Fact]
    public void Decide_OnTerminalApproval_FailsPrecondition()
    {
        var approved = _machine.Decide(Create(Refund(900)), "alice", Verdict(DecisionVerdict.Approve), _policy).Value!.Record;
        var t = _machine.Decide(approved, "bob", Verdict(DecisionVerdict.Approve), _policy);
        Assert.Equal(ApprovalErrorKind.FailedPrecondition, t.Error!.Kind);
    }

    [Fact]
    public void Decide_Quorum_NeedsTwoDistinctApprovers()
    {
        var record = Create(Refund(20_000));
        Assert.Equal(RiskTier.Quorum, record.Approval.Tier);
        Assert.Equal(2, record.Approval.Quorum);

        var first = _machine.Decide(record, "alice", Verdict(DecisionVerdict.Approve), _policy).Value!.Record;
        Assert.Equal(ApprovalState.Pending, first.Approval.State);

        var again = _machine.Decide(first, "alice", Verdict(DecisionVerdict.Approve), _policy);
        Assert.Equal(ApprovalErrorKind.FailedPrecondition, again.Error!.Kind);

        var second = _machine.Decide(first, "bob", Verdict(DecisionVerdict.Approve), _policy).Value!.Record;
        Assert.Equal(ApprovalState.Approved, second.Approval.State);
    }

    [Fact]
    public void Decide_Quorum_AnyRejectEndsIt()
    {
        var first = _machine.Decide(Create(Refund(20_000)), "alice", Verdict(DecisionVerdict.Approve), _policy).Value!.Record;
        var t = _machine.Decide(first, "bob", Verdict(DecisionVerdict.Reject, "too much"), _policy);
        Assert.Equal(ApprovalState.Rejected, t.Value!.Record.Approval.State);
    }

    [Fact]
    public void Decide_EditAndApprove_ReplacesPayloadRecordsDiffAndApproves()
    {
        var record = Create(Refund(900));
        var edited = record.Approval.Request.Arguments.Clone();
        edited.Fields["amount"] = Value.ForNumber(700);
        edited.Fields["card_number"] = Value.ForString(Redactor.Mask);
        var t = _machine.Decide(record, "alice", new DecideRequest { ApprovalId = "a1", Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edited }, _policy);

        var a = t.Value!.Record.Approval;
        Assert.Equal(ApprovalState.Approved, a.State);
        Assert.True(a.Edited);
        Assert.Equal(700, a.FinalArguments.Fields["amount"].NumberValue);
        Assert.Equal("4111111111111111", a.FinalArguments.Fields["card_number"].StringValue);
        var op = Assert.Single(a.Diff);
        Assert.Equal(("replace", "/amount", 700d), (op.Op, op.Path, op.Value.NumberValue));
        Assert.NotEqual(record.ArgsSha256, t.Value.Record.ArgsSha256);
    }

    [Fact]
    public void Decide_EditIntoStricterTier_StaysPendingWithEditorCountingFirst()
    {
        var record = Create(Refund(900));
        var edited = record.Approval.Request.Arguments.Clone();
        edited.Fields["amount"] = Value.ForNumber(50_000);
        var t = _machine.Decide(record, "alice", new DecideRequest { ApprovalId = "a1", Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edited }, _policy);

        var n = t.Value!.Record;
        Assert.Equal(ApprovalState.Pending, n.Approval.State);
        Assert.Equal(RiskTier.Quorum, n.Approval.Tier);
        Assert.Equal(2, n.Approval.Quorum);
        var done = _machine.Decide(n, "bob", Verdict(DecisionVerdict.Approve), _policy).Value!.Record;
        Assert.Equal(ApprovalState.Approved, done.Approval.State);
        Assert.Equal(50_000, done.Approval.FinalArguments.Fields["amount"].NumberValue);
    }

    [Fact]
    public void Decide_EditLowerTier_NeverLowersTheTier()
    {
        var record = Create(Refund(20_000));
        var edited = record.Approval.Request.Arguments.Clone();
        edited.Fields["amount"] = Value.ForNumber(10);
        var t = _machine.Decide(record, "alice", new DecideRequest { ApprovalId = "a1", Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edited }, _policy);
        Assert.Equal(ApprovalState.Pending, t.Value!.Record.Approval.State);
        Assert.Equal(RiskTier.Quorum, t.Value.Record.Approval.Tier);
    }

    [Fact]
    public void Decide_EditIntoBlock_IsRefusedAndChangesNothing()
    {
        var record = Create(Refund(900));
        var before = record.Clone();
        var edited = record.Approval.Request.Arguments.Clone();
        edited.Fields["amount"] = Value.ForNumber(5_000_000);
        var t = _machine.Decide(record, "alice", new DecideRequest { ApprovalId = "a1", Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edited }, _policy);
        Assert.Equal(ApprovalErrorKind.PermissionDenied, t.Error!.Kind);
        Assert.Equal(before, record);
    }

    [Fact]
    public void Decide_EditAfterFirstQuorumApproval_RestartsTheCount()
    {
        var first = _machine.Decide(Create(Refund(20_000)), "alice", Verdict(DecisionVerdict.Approve), _policy).Value!.Record;
        var edited = first.Approval.Request.Arguments.Clone();
        edited.Fields["amount"] = Value.ForNumber(15_000);
        var afterEdit = _machine.Decide(first, "bob", new DecideRequest { ApprovalId = "a1", Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edited }, _policy).Value!.Record;
        Assert.Equal(ApprovalState.Pending, afterEdit.Approval.State);
        var done = _machine.Decide(afterEdit, "alice", Verdict(DecisionVerdict.Approve), _policy).Value!.Record;
        Assert.Equal(ApprovalState.Approved, done.Approval.State);
    }

    [Fact]
    public void Decide_EscalateByHand_MovesToNextPool()
    {
        var t = _machine.Decide(Create(Refund(900)), "alice", Verdict(DecisionVerdict.Escalate, "needs a lead"), _policy);
        var a = t.Value!.Record.Approval;
        Assert.Equal(ApprovalState.Escalated, a.State);
        Assert.Equal("finance-leads", a.Pool);
        Assert.Equal(1, a.EscalationLevel);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(1), a.Deadline.ToDateTimeOffset());

        Assert.Equal(ApprovalErrorKind.PermissionDenied, _machine.Decide(t.Value.Record, "bob", Verdict(DecisionVerdict.Approve), _policy).Error!.Kind);
        Assert.Equal(ApprovalState.Approved, _machine.Decide(t.Value.Record, "carol", Verdict(DecisionVerdict.Approve), _policy).Value!.Record.Approval.State);
    }

    [Fact]
    public void Decide_EscalateWithoutLadder_FailsPrecondition()
    {
        var request = new CheckRequest { CallId = "x", Tool = "unknown.tool", Agent = new AgentContext { Tenant = "acme" } };
        var record = _machine.Create("a1", request, _policy.Evaluate(request), _policy.RedactPaths, "agent:x").Record;
        var t = _machine.Decide(record, "alice", Verdict(DecisionVerdict.Escalate, "why not"), _policy);
        Assert.Equal(ApprovalErrorKind.FailedPrecondition, t.Error!.Kind);
    }

    [Fact]
    public void Timeout_BeforeDeadline_DoesNothing()
    {
        _clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Null(_machine.Timeout(Create(Refund(900))));
    }

    [Fact]
    public void Timeout_WithEscalateWalksTheLadderThenExpires()
    {
        var record = Create(Refund(900));
        _clock.Advance(TimeSpan.FromMinutes(2));
        var level1 = _machine.Timeout(record)!.Record;
        Assert.Equal(("finance-leads", ApprovalState.Escalated, 1), (level1.Approval.Pool, level1.Approval.State, level1.Approval.EscalationLevel));
        Assert.Equal("timer", level1.LastActor);

        _clock.Advance(TimeSpan.FromHours(1));
        var level2 = _machine.Timeout(level1)!.Record;
        Assert.Equal(("execs", 2), (level2.Approval.Pool, level2.Approval.EscalationLevel));

        _clock.Advance(TimeSpan.FromHours(2));
        var expired = _machine.Timeout(level2)!;
        Assert.Equal(ApprovalState.Expired, expired.Record.Approval.State);
        Assert.False(expired.NeedsToken);
        Assert.Null(_machine.Timeout(expired.Record));
    }

    [Fact]
    public void Timeout_Deny_Expires_NeverApproves()
    {
        var request = new CheckRequest { CallId = "x", Tool = "unknown.tool", Agent = new AgentContext { Tenant = "acme" } };
        var record = _machine.Create("a1", request, _policy.Evaluate(request), _policy.RedactPaths, "agent:x").Record;
        var partly = _machine.Decide(record, "alice", Verdict(DecisionVerdict.Approve), _policy).Value!.Record;
        Assert.Equal(ApprovalState.Approved, partly.Approval.State);

        var other = _machine.Create("a2", request, _policy.Evaluate(request), _policy.RedactPaths, "agent:x").Record;
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(ApprovalState.Expired, _machine.Timeout(other)!.Record.Approval.State);
    }

    [Fact]
    public void Cancel_Pending_Cancels_Terminal_FailsPrecondition()
    {
        var record = Create(Refund(900));
        var cancelled = _machine.Cancel(record, "agent:agent-1", "user changed their mind").Value!.Record;
        Assert.Equal(ApprovalState.Cancelled, cancelled.Approval.State);
        Assert.Equal(ApprovalErrorKind.FailedPrecondition, _machine.Cancel(cancelled, "agent:agent-1", "again").Error!.Kind);
    }

    [Fact]
    public void ReportOutcome_OnlyAfterAllowOrApprove()
    {
        var pending = Create(Refund(900));
        Assert.Equal(ApprovalErrorKind.FailedPrecondition, _machine.ReportOutcome(pending, Outcome.Succeeded, "", "agent:agent-1").Error!.Kind);
        var approved = _machine.Decide(pending, "alice", Verdict(DecisionVerdict.Approve), _policy).Value!.Record;
        var executed = _machine.ReportOutcome(approved, Outcome.Succeeded, "refund r-1", "agent:agent-1").Value!.Record;
        Assert.Equal(ApprovalState.Executed, executed.Approval.State);
    }

    /// <summary>
    /// Every transition starts from a copy: the record it was given (the one the Guard stream, the
    /// change's listeners and HeldRecords share) is never changed.
    /// </summary>
    [Fact]
    public void EveryTransition_LeavesTheRecordItStartedFromUnchanged()
    {
        var edited = Refund(700).Arguments;
        var transitions = new List<(string Name, Func<StoredApproval, object?> Run)>
        {
            ("approve", r => _machine.Decide(r, "alice", Verdict(DecisionVerdict.Approve), _policy)),
            ("reject", r => _machine.Decide(r, "alice", Verdict(DecisionVerdict.Reject, "no"), _policy)),
            ("edit", r => _machine.Decide(r, "alice", new DecideRequest { ApprovalId = "a1", Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edited }, _policy)),
            ("escalate", r => _machine.Decide(r, "alice", Verdict(DecisionVerdict.Escalate, "a lead"), _policy)),
            ("cancel", r => _machine.Cancel(r, "agent:agent-1", "changed my mind")),
            ("timeout", r => { _clock.Advance(TimeSpan.FromMinutes(3)); return _machine.Timeout(r); }),
        };
        foreach (var (name, run) in transitions)
        {
            var record = Create(Refund(900));
            var before = record.Clone();
            Assert.NotNull(run(record));
            Assert.True(before.Equals(record), $"{name} changed the record it started from");
        }

        var approved = _machine.Decide(Create(Refund(900)), "alice", Verdict(DecisionVerdict.Approve), _policy).Value!.Record;
        var approvedBefore = approved.Clone();
        Assert.True(_machine.ReportOutcome(approved, Outcome.Succeeded, "done", "agent:agent-1").Ok);
        Assert.Equal(approvedBefore, approved);
    }

    /// <summary>
    /// A transition's record shares messages with the one it came from (its request, arguments,
    /// decisions); along whole chains of transitions every earlier record, and the request the
    /// first was created from, must stay as they were when they were made.
    /// </summary>
    [Fact]
    public void ChainsOfTransitions_LeaveEveryEarlierRecordUnchanged()
    {
        DecideRequest Edit(StoredApproval r, double amount)
        {
            var edited = r.Approval.FinalArguments.Clone();
            edited.Fields["amount"] = Value.ForNumber(amount);
            return new DecideRequest { ApprovalId = "a1", Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edited };
        }

        StoredApproval Ok(Result<Transition> t) => t.Value!.Record;
        var chains = new List<(string Name, double Amount, Func<StoredApproval, StoredApproval>[] Steps)>
        {
            ("quorum, edit, approve", 20_000, [
                r => Ok(_machine.Decide(r, "alice", Verdict(DecisionVerdict.Approve), _policy)),
                r => Ok(_machine.Decide(r, "bob", Edit(r, 15_000), _policy)),
                r => Ok(_machine.Decide(r, "alice", Verdict(DecisionVerdict.Approve), _policy)),
                r => Ok(_machine.ReportOutcome(r, Outcome.Succeeded, "done", "agent:agent-1")),
            ]),
            ("edit into quorum, approve", 900, [
                r => Ok(_machine.Decide(r, "alice", Edit(r, 50_000), _policy)),
                r => Ok(_machine.Decide(r, "bob", Edit(r, 40_000), _policy)),
                r => Ok(_machine.Decide(r, "alice", Verdict(DecisionVerdict.Approve), _policy)),
                r => Ok(_machine.ReportOutcome(r, Outcome.Failed, "card declined", "agent:agent-1")),
            ]),
            ("escalate by hand, approve", 900, [
                r => Ok(_machine.Decide(r, "alice", Verdict(DecisionVerdict.Escalate, "a lead"), _policy)),
                r => Ok(_machine.Decide(r, "carol", Verdict(DecisionVerdict.Approve), _policy)),
            ]),
            ("the ladder by timeouts, expiry", 900, [
                r => { _clock.Advance(TimeSpan.FromMinutes(2)); return _machine.Timeout(r)!.Record; },
                r => { _clock.Advance(TimeSpan.FromHours(1)); return _machine.Timeout(r)!.Record; },
                r => { _clock.Advance(TimeSpan.FromHours(2)); return _machine.Timeout(r)!.Record; },
            ]),
        };
        foreach (var (name, amount, steps) in chains)
        {
            var request = Refund(amount);
            var requestBefore = request.Clone();
            var records = new List<(StoredApproval Record, StoredApproval Snapshot)>();
            var record = Create(request);
            records.Add((record, record.Clone()));
            foreach (var step in steps)
            {
                record = step(record);
                records.Add((record, record.Clone()));
            }

            Assert.Equal(requestBefore, request);
            for (var i = 0; i < records.Count; i++)
            {
                Assert.True(records[i].Snapshot.Equals(records[i].Record), $"{name}: record {i} changed after it was made");
            }

            Assert.False(ApprovalStates.IsOpen(record.Approval.State), $"{name} ended in {record.Approval.State}");
        }
    }
}
