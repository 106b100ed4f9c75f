using System.Diagnostics;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;

namespace GateSidecar.Telemetry;

/// <summary>
/// Telemetry of the approval lifecycle after the Check: the decision spans, the human-wait span
/// and the lifecycle metrics. Called by <see cref="ApprovalService"/> where a change is committed,
/// so each change is counted once across sidecars (the one whose compare-and-set won).
/// </summary>
internal static class ApprovalTelemetry
{
    private const string Timer = "timer";

    /// <summary>The current span as a W3C traceparent, to keep with a pending approval; empty when none.</summary>
    public static string CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } id } ? id : string.Empty;

    /// <summary>
    /// What a pending approval keeps: the current Gate span, or else the caller's own traceparent
    /// (when valid), so logs and later spans still join the agent's trace; empty when neither.
    /// </summary>
    public static string TraceParentFor(string? callerTraceParent)
    {
        var own = CurrentTraceParent();
        if (own.Length > 0)
        {
            return own;
        }

        return callerTraceParent is not null && ActivityContext.TryParse(callerTraceParent, null, out _) ? callerTraceParent : string.Empty;
    }

    /// <summary>The trace id of the call that created the approval (32 hex digits), for logs; empty when unknown.</summary>
    public static string TraceId(StoredApproval record) =>
        record.TraceParent.Length >= 35 ? record.TraceParent.Substring(3, 32) : string.Empty;

    /// <summary>Starts <c>gate.approval.decide</c> under the current request's span.</summary>
    public static Activity? StartDecide(string approverId, DecideRequest request)
    {
        if (!GateDiagnostics.Source.HasListeners())
        {
            return null;
        }

        var span = GateDiagnostics.StartSpan(GateSpans.ApprovalDecide);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(GateAttributes.ApprovalId, request.ApprovalId);
            span.SetTag(GateAttributes.Approver, approverId);
            span.SetTag(GateAttributes.DecisionVerdict, TelemetryValues.Decision(request.Verdict));
        }

        return span;
    }

    /// <summary>Links the decision span to the trace of the call that created <paramref name="current"/> (once).</summary>
    public static void LinkApproval(Activity? decide, StoredApproval current)
    {
        if (decide is not { IsAllDataRequested: true } || decide.GetTagItem(GateAttributes.Rule) is not null)
        {
            return;
        }

        var a = current.Approval;
        decide.SetTag(GateAttributes.Rule, TelemetryValues.Rule(a.Rule));
        decide.SetTag(GateAttributes.Tier, TelemetryValues.Tier(a.Tier));
        decide.SetTag(GateAttributes.Pool, a.Pool);
        if (ActivityContext.TryParse(current.TraceParent, null, isRemote: true, out var created))
        {
            decide.AddLink(new ActivityLink(created));
        }
    }

    /// <summary>The start of a decision for <c>gate.decision.duration</c>; 0 when nothing listens to it.</summary>
    public static long DecisionStarted() => GateMetrics.DecisionDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>
    /// Ends the decision span with the approval's new state, or the error's kind, and records
    /// <c>gate.decision.duration</c> since <paramref name="started"/> (from <see cref="DecisionStarted"/>)
    /// by the verdict asked for, with the same <c>error.type</c> when refused.
    /// </summary>
    public static void EndDecide(Activity? decide, long started, DecisionVerdict verdict, Result<StoredApproval> result)
    {
        var error = result.Ok ? null : TelemetryValues.Error(result.Error!.Kind);
        if (started != 0)
        {
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var asked = new KeyValuePair<string, object?>(GateAttributes.DecisionVerdict, TelemetryValues.Decision(verdict));
            if (error is null)
            {
                GateMetrics.DecisionDuration.Record(seconds, asked);
            }
            else
            {
                GateMetrics.DecisionDuration.Record(seconds, asked, new KeyValuePair<string, object?>(GateAttributes.ErrorType, error));
            }
        }

        if (decide is null)
        {
            return;
        }

        if (error is null)
        {
            decide.SetTag(GateAttributes.ApprovalState, TelemetryValues.State(result.Value!.Approval.State));
        }
        else
        {
            decide.SetTag(GateAttributes.ErrorType, error);
            decide.SetStatus(ActivityStatusCode.Error);
        }

        decide.Stop();
    }

    /// <summary>
    /// A change of an open approval was committed: counts timeouts and escalations, and when the
    /// approval closed, records the time to decision, the rule's tallies and the wait span.
    /// Returns true when the approval closed.
    /// </summary>
    public static bool Transitioned(StoredApproval before, StoredApproval after)
    {
        var was = before.Approval;
        var now = after.Approval;
        if (!ApprovalStates.IsOpen(was.State))
        {
            return false;
        }

        var rule = TelemetryValues.Rule(now.Rule);
        var state = TelemetryValues.State(now.State);
        if (after.LastActor == Timer)
        {
            GateMetrics.Timeouts.Add(1, new(GateAttributes.Rule, rule), new(GateAttributes.ApprovalState, state));
        }

        if (now.EscalationLevel > was.EscalationLevel)
        {
            var cause = after.LastActor == Timer ? Timer : "approver";
            GateMetrics.Escalations.Add(1, new(GateAttributes.Rule, rule), new(GateAttributes.EscalationCause, cause), new(GateAttributes.Pool, now.Pool));
        }

        if (ApprovalStates.IsOpen(now.State))
        {
            return false;
        }

        var created = was.CreatedAt?.ToDateTimeOffset() ?? DateTimeOffset.FromUnixTimeMilliseconds(before.UpdatedUnixMs);
        var ended = DateTimeOffset.FromUnixTimeMilliseconds(after.UpdatedUnixMs);
        var tier = TelemetryValues.Tier(now.Tier);
        GateMetrics.TimeToDecision.Record(Math.Max(0, (ended - created).TotalSeconds), new(GateAttributes.Rule, rule), new(GateAttributes.Tier, tier), new(GateAttributes.ApprovalState, state));
        if (now.State is ApprovalState.Approved or ApprovalState.Rejected)
        {
            GateMetrics.RuleDecided.Add(1, new(GateAttributes.Rule, rule), new(GateAttributes.ApprovalState, state));
            if (now.State == ApprovalState.Approved && !now.Edited)
            {
                GateMetrics.RuleApprovedUnchanged.Add(1, new KeyValuePair<string, object?>(GateAttributes.Rule, rule));
            }
        }

        if (GateDiagnostics.Source.HasListeners())
        {
            EmitWait(before, after, created, ended, rule, tier, state);
        }

        return true;
    }

    /// <summary>
    /// <c>gate.approval.wait</c>: from PENDING to the final state, in the trace of the call that
    /// created the approval, linked to the span that closed it (a decision; none for a timer).
    /// </summary>
    private static void EmitWait(StoredApproval before, StoredApproval after, DateTimeOffset created, DateTimeOffset ended, string rule, string tier, string state)
    {
        var closer = Activity.Current;
        ActivityLink[]? links = closer is not null && ReferenceEquals(closer.Source, GateDiagnostics.Source) ? [new ActivityLink(closer.Context)] : null;
        ActivityContext.TryParse(before.TraceParent, null, isRemote: true, out var call);
        var span = GateDiagnostics.StartWithParent(GateSpans.ApprovalWait, ActivityKind.Internal, call, links, created);
        if (span is null)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            var a = after.Approval;
            span.SetTag(GateAttributes.ApprovalId, a.ApprovalId);
            span.SetTag(GateAttributes.GenAiToolName, a.Request?.Tool ?? string.Empty);
            span.SetTag(GateAttributes.GenAiToolCallId, a.Request?.CallId ?? string.Empty);
            span.SetTag(GateAttributes.Rule, rule);
            span.SetTag(GateAttributes.Tier, tier);
            span.SetTag(GateAttributes.ApprovalState, state);
            span.SetTag(GateAttributes.Pool, a.Pool);
            span.SetTag(GateAttributes.EscalationLevel, a.EscalationLevel);
            span.SetTag(GateAttributes.Edited, a.Edited);
            span.SetTag(GateAttributes.EndedBy, after.LastActor);
        }

        span.SetEndTime(ended.UtcDateTime);
        span.Stop();
        Activity.Current = closer;
    }
}
