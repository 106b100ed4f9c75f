using Gate.Client.Evidence;
using Gate.V1;
using GateSidecar.Approvals.Stored;
using GateSidecar.Policy;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Approvals;

/// <summary>
/// The only place that decides transitions of an approval. Pure: it reads a record and a command and
/// returns the next record plus its audit entries, or an <see cref="ApprovalError"/>; it never
/// persists. Timeouts never approve.
/// </summary>
internal sealed class ApprovalStateMachine(TimeProvider time)
{
    /// <summary>The record for a new call, in ALLOWED, DENIED or PENDING.</summary>
    public Transition Create(string approvalId, CheckRequest request, PolicyDecision decision, IReadOnlyList<string> redact, string actor)
    {
        var now = time.GetUtcNow();
        var route = decision.Route;
        var approval = new Approval
        {
            ApprovalId = approvalId,
            Tier = decision.Tier,
            Rule = decision.RuleId,
            Reason = ReasonText.Mask(decision.DescribeReason(), redact),
            PolicyVersion = decision.PolicyVersion,
            Request = request,
            CreatedAt = Timestamp.FromDateTimeOffset(now),
            // The request's own arguments until an edit replaces them: neither is ever changed.
            FinalArguments = request.Arguments ?? new Struct(),
            Seq = 1,
        };
        var record = new StoredApproval
        {
            Approval = approval,
            BaseTier = decision.Tier,
            LastActor = actor,
            UpdatedUnixMs = now.ToUnixTimeMilliseconds(),
        };
        record.Redact.AddRange(redact);
        record.ArgsSha256 = ArgsHash.Compute(approval.FinalArguments);

        var audit = new List<AuditEvent>(2) { Entry("created", actor, record, now, string.Empty, approval.Reason) };
        switch (decision.Tier)
        {
            case RiskTier.Auto:
                approval.State = ApprovalState.Allowed;
                audit.Add(Entry("allowed", "policy", record, now, "ALLOW", approval.Reason));
                break;
            case RiskTier.Block:
                approval.State = ApprovalState.Denied;
                audit.Add(Entry("denied", "policy", record, now, "DENY", approval.Reason));
                break;
            default:
                approval.State = ApprovalState.Pending;
                approval.Pool = route.Pool;
                approval.Quorum = decision.Tier == RiskTier.Quorum ? Math.Max(2, route.Quorum) : 1;
                var deadline = now + route.Timeout;
                approval.Deadline = Timestamp.FromDateTimeOffset(deadline);
                record.DeadlineUnixMs = deadline.ToUnixTimeMilliseconds();
                record.EscalateOnTimeout = route.OnTimeout == TimeoutAction.Escalate && route.Ladder.Count > 0;
                foreach (var rung in route.Ladder)
                {
                    record.Ladder.Add(new EscalationStep
                    {
                        Pool = rung.Pool,
                        TimeoutMs = (long)rung.Timeout.TotalMilliseconds,
                        EscalateOnTimeout = rung.OnTimeout == TimeoutAction.Escalate,
                    });
                }

                approval.Impact.AddRange(Impact.Collect(request, route.ImpactPaths, redact));
                break;
        }

        return new Transition(record, 0, audit);
    }

    /// <summary>One approver's decision; every rule of SPEC §2/§3 is checked here.</summary>
    public Result<Transition> Decide(StoredApproval current, string approverId, DecideRequest request, CompiledPolicy policy)
    {
        var a = current.Approval;
        if (!ApprovalStates.IsOpen(a.State))
        {
            return ApprovalError.Precondition($"approval '{a.ApprovalId}' is {ApprovalStates.Name(a.State)}, a final state: it accepts no more decisions");
        }

        if (!policy.IsMember(a.Pool, approverId))
        {
            return ApprovalError.Denied($"approver '{approverId}' is not a member of pool '{a.Pool}', which decides approval '{a.ApprovalId}'");
        }

        if (a.Request?.Agent is { OnBehalfOf.Length: > 0 } agent && agent.OnBehalfOf == approverId)
        {
            return ApprovalError.Denied($"approver '{approverId}' cannot decide a call made on their own behalf (self-approval)");
        }

        for (var i = current.CountFrom; i < a.Decisions.Count; i++)
        {
            if (a.Decisions[i].Approver == approverId)
            {
                return ApprovalError.Precondition($"approver '{approverId}' has already decided approval '{a.ApprovalId}'; a second approver must decide");
            }
        }

        var needsReason = request.Verdict is DecisionVerdict.Reject or DecisionVerdict.Escalate;
        if (needsReason && string.IsNullOrWhiteSpace(request.Reason))
        {
            return ApprovalError.Invalid($"a reason is required to {(request.Verdict == DecisionVerdict.Reject ? "reject" : "escalate")}: set 'reason'");
        }

        return request.Verdict switch
        {
            DecisionVerdict.Approve => Approve(current, approverId, request),
            DecisionVerdict.Reject => Reject(current, approverId, request),
            DecisionVerdict.EditAndApprove => Edit(current, approverId, request, policy),
            DecisionVerdict.Escalate => EscalateByHand(current, approverId, request),
            _ => ApprovalError.Invalid("verdict must be APPROVE, REJECT, EDIT_AND_APPROVE or ESCALATE"),
        };
    }

    /// <summary>The deadline passed: escalate or expire. Null when the record is not open or not due.</summary>
    public Transition? Timeout(StoredApproval current)
    {
        var now = time.GetUtcNow();
        var a = current.Approval;
        if (!ApprovalStates.IsOpen(a.State) || current.DeadlineUnixMs == 0 || current.DeadlineUnixMs > now.ToUnixTimeMilliseconds())
        {
            return null;
        }

        var next = Advance(current, "timer", now, out var audit);
        if (current.EscalateOnTimeout && next.Ladder.Count > 0)
        {
            Escalate(next, "timer", "deadline passed: on_timeout escalate", now, audit);
        }
        else
        {
            Close(next, ApprovalState.Expired, now);
            audit.Add(Entry("expired", "timer", next, now, string.Empty, "deadline passed: on_timeout deny"));
        }

        return new Transition(next, current.Approval.Seq, audit);
    }

    /// <summary>The agent withdraws its pending call.</summary>
    public Result<Transition> Cancel(StoredApproval current, string actor, string reason)
    {
        if (!ApprovalStates.IsOpen(current.Approval.State))
        {
            return ApprovalError.Precondition($"approval '{current.Approval.ApprovalId}' is {ApprovalStates.Name(current.Approval.State)}, a final state: only a pending approval can be cancelled");
        }

        var now = time.GetUtcNow();
        var next = Advance(current, actor, now, out var audit);
        Close(next, ApprovalState.Cancelled, now);
        audit.Add(Entry("cancelled", actor, next, now, string.Empty, reason));
        return new Transition(next, current.Approval.Seq, audit);
    }

    /// <summary>The agent reports the execution of an allowed or approved call.</summary>
    public Result<Transition> ReportOutcome(StoredApproval current, Outcome outcome, string detail, string actor)
    {
        var state = current.Approval.State;
        if (state is not (ApprovalState.Allowed or ApprovalState.Approved))
        {
            return ApprovalError.Precondition($"approval '{current.Approval.ApprovalId}' is {ApprovalStates.Name(state)}: only an ALLOWED or APPROVED call can report an outcome");
        }

        if (outcome is not (Outcome.Succeeded or Outcome.Failed))
        {
            return ApprovalError.Invalid("outcome must be SUCCEEDED or FAILED");
        }

        var now = time.GetUtcNow();
        var next = Advance(current, actor, now, out var audit);
        var succeeded = outcome == Outcome.Succeeded;
        next.Approval.State = succeeded ? ApprovalState.Executed : ApprovalState.Failed;
        audit.Add(Entry(succeeded ? "executed" : "failed", actor, next, now, succeeded ? "SUCCEEDED" : "FAILED", detail));
        return new Transition(next, current.Approval.Seq, audit);
    }

    private Result<Transition> Approve(StoredApproval current, string approverId, DecideRequest request)
    {
        var now = time.GetUtcNow();
        var actor = "approver:" + approverId;
        var next = Advance(current, actor, now, out var audit);
        next.Approval.Decisions.Add(Record(approverId, request, now, null));
        audit.Add(Entry("decision", actor, next, now, "APPROVE", request.Reason));
        CompleteIfQuorum(next, actor, now, audit);
        return new Transition(next, current.Approval.Seq, audit);
    }

    private Result<Transition> Reject(StoredApproval current, string approverId, DecideRequest request)
    {
        var now = time.GetUtcNow();
        var actor = "approver:" + approverId;
        var next = Advance(current, actor, now, out var audit);
        next.Approval.Decisions.Add(Record(approverId, request, now, null));
        audit.Add(Entry("decision", actor, next, now, "REJECT", request.Reason));
        Close(next, ApprovalState.Rejected, now);
        audit.Add(Entry("rejected", actor, next, now, "REJECT", request.Reason));
        return new Transition(next, current.Approval.Seq, audit);
    }

    private Result<Transition> Edit(StoredApproval current, string approverId, DecideRequest request, CompiledPolicy policy)
    {
        if (request.EditedArguments is null)
        {
            return ApprovalError.Invalid("EDIT_AND_APPROVE needs 'edited_arguments': the full arguments object to execute");
        }

        var a = current.Approval;
        var edited = Redactor.RestoreMasked(request.EditedArguments, a.Request?.Arguments, current.Redact);
        var proposal = a.Request?.Clone() ?? new CheckRequest();
        proposal.Arguments = edited;
        var evaluation = policy.Evaluate(proposal);
        if (evaluation.Tier == RiskTier.Block)
        {
            var rule = evaluation.RuleId.Length == 0 ? "the policy default" : $"rule '{evaluation.RuleId}'";
            return ApprovalError.Denied($"the edited arguments fall under {rule}, tier block: such a call may never run, so the edit is refused");
        }

        var now = time.GetUtcNow();
        var actor = "approver:" + approverId;
        var next = Advance(current, actor, now, out var audit);
        var n = next.Approval;
        var patch = JsonPatch.Diff(n.FinalArguments, edited);
        n.Decisions.Add(Record(approverId, request, now, edited));
        next.CountFrom = n.Decisions.Count - 1;
        n.FinalArguments = edited;
        n.Edited = true;
        n.Diff.Clear();
        n.Diff.AddRange(JsonPatch.Diff(a.Request?.Arguments, edited));
        next.ArgsSha256 = ArgsHash.Compute(edited);

        if (ApprovalStates.Rank(evaluation.Tier) > ApprovalStates.Rank(n.Tier))
        {
            // Stricter tier: take its requirements, stay pending; the editor's approval counts first.
            n.Tier = evaluation.Tier;
            n.Rule = evaluation.RuleId;
            n.Reason = ReasonText.Mask(evaluation.DescribeReason(), current.Redact);
            n.Quorum = evaluation.Tier == RiskTier.Quorum ? Math.Max(2, evaluation.Route.Quorum) : Math.Max(1, n.Quorum);
        }

        var entry = Entry("decision", actor, next, now, "EDIT_AND_APPROVE", request.Reason);
        entry.Patch.AddRange(patch);
        foreach (var path in current.Redact)
        {
            if (path.StartsWith("args.", StringComparison.Ordinal))
            {
                Redactor.RedactPatch(entry.Patch, path["args.".Length..]);
            }
        }

        audit.Add(entry);
        CompleteIfQuorum(next, actor, now, audit);
        return new Transition(next, current.Approval.Seq, audit);
    }

    private Result<Transition> EscalateByHand(StoredApproval current, string approverId, DecideRequest request)
    {
        if (current.Ladder.Count == 0)
        {
            return ApprovalError.Precondition($"approval '{current.Approval.ApprovalId}' has no escalate_to above pool '{current.Approval.Pool}' in policy version {current.Approval.PolicyVersion}: it cannot be escalated");
        }

        var now = time.GetUtcNow();
        var actor = "approver:" + approverId;
        var next = Advance(current, actor, now, out var audit);
        next.Approval.Decisions.Add(Record(approverId, request, now, null));
        audit.Add(Entry("decision", actor, next, now, "ESCALATE", request.Reason));
        Escalate(next, actor, request.Reason, now, audit);
        return new Transition(next, current.Approval.Seq, audit);
    }

    private static void CompleteIfQuorum(StoredApproval next, string actor, DateTimeOffset now, List<AuditEvent> audit)
    {
        var n = next.Approval;
        var approvers = new HashSet<string>(StringComparer.Ordinal);
        for (var i = next.CountFrom; i < n.Decisions.Count; i++)
        {
            var d = n.Decisions[i];
            if (d.Verdict is DecisionVerdict.Approve or DecisionVerdict.EditAndApprove)
            {
                approvers.Add(d.Approver);
            }
        }

        if (approvers.Count >= Math.Max(1, n.Quorum))
        {
            Close(next, ApprovalState.Approved, now);
            audit.Add(Entry("approved", actor, next, now, "APPROVE", $"{approvers.Count} of {Math.Max(1, n.Quorum)} approvals"));
        }
    }

    private static void Escalate(StoredApproval next, string actor, string reason, DateTimeOffset now, List<AuditEvent> audit)
    {
        var rung = next.Ladder[0];
        next.Ladder.RemoveAt(0);
        var n = next.Approval;
        var from = n.Pool;
        n.Pool = rung.Pool;
        n.State = ApprovalState.Escalated;
        n.EscalationLevel++;
        var deadline = now + TimeSpan.FromMilliseconds(rung.TimeoutMs);
        n.Deadline = Timestamp.FromDateTimeOffset(deadline);
        next.DeadlineUnixMs = deadline.ToUnixTimeMilliseconds();
        next.EscalateOnTimeout = rung.EscalateOnTimeout && next.Ladder.Count > 0;
        next.CountFrom = n.Decisions.Count;
        audit.Add(Entry("escalated", actor, next, now, "ESCALATE", $"{reason} (pool {from} → {rung.Pool}, level {n.EscalationLevel})"));
    }

    private static void Close(StoredApproval next, ApprovalState state, DateTimeOffset now)
    {
        next.Approval.State = state;
        next.DeadlineUnixMs = 0;
        _ = now;
    }

    private static StoredApproval Advance(StoredApproval current, string actor, DateTimeOffset now, out List<AuditEvent> audit)
    {
        // Shares the messages of the record it starts from (its request, arguments, decisions):
        // a transition replaces fields and changes its own lists, never a shared message.
        var next = RecordCopies.Shallow(current);
        next.Approval.Seq = current.Approval.Seq + 1;
        next.LastActor = actor;
        next.UpdatedUnixMs = now.ToUnixTimeMilliseconds();
        next.Approval.Token = string.Empty;
        audit = new List<AuditEvent>(3);
        return next;
    }

    private static DecisionRecord Record(string approverId, DecideRequest request, DateTimeOffset now, Struct? edited) => new()
    {
        Approver = approverId,
        Verdict = request.Verdict,
        Reason = request.Reason,
        At = Timestamp.FromDateTimeOffset(now),
        EditedArguments = edited,
    };

    private static AuditEvent Entry(string type, string actor, StoredApproval record, DateTimeOffset now, string verdict, string reason) => new()
    {
        At = Timestamp.FromDateTimeOffset(now),
        ApprovalId = record.Approval.ApprovalId,
        Type = type,
        Actor = actor,
        Tier = record.Approval.Tier,
        Rule = record.Approval.Rule,
        PolicyVersion = record.Approval.PolicyVersion,
        ArgsSha256 = record.ArgsSha256,
        Verdict = verdict,
        Reason = reason ?? string.Empty,
    };
}
