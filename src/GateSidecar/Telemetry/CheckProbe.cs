using System.Diagnostics;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;

namespace GateSidecar.Telemetry;

/// <summary>
/// The telemetry of one policy evaluation: the <c>apply_guardrail</c> span (GenAI guardrail
/// conventions) and the <c>gate.check.duration</c> / <c>gate.decisions</c> measurements.
/// With nothing listening it holds a null span and no timestamp, and every call is a check.
/// </summary>
internal readonly struct CheckProbe : IDisposable
{
    private readonly Activity? _span;
    private readonly TimeProvider? _time;
    private readonly long _started;

    private CheckProbe(Activity? span, TimeProvider? time, long started)
    {
        _span = span;
        _time = time;
        _started = started;
    }

    public static CheckProbe Start(CheckRequest request, TimeProvider time)
    {
        var span = GateDiagnostics.Source.HasListeners() ? StartSpan(request) : null;
        return GateMetrics.CheckDuration.Enabled ? new CheckProbe(span, time, time.GetTimestamp()) : new CheckProbe(span, null, 0);
    }

    /// <summary>The call was recorded (<paramref name="created"/>) or an earlier record for its call_id was returned.</summary>
    public void Succeeded(StoredApproval record, bool created)
    {
        var a = record.Approval;
        var tier = TelemetryValues.Tier(a.Tier);
        var verdict = TelemetryValues.Verdict(a.State);
        var rule = TelemetryValues.Rule(a.Rule);
        if (_time is not null)
        {
            GateMetrics.CheckDuration.Record(_time.GetElapsedTime(_started).TotalSeconds, new(GateAttributes.Tier, tier), new(GateAttributes.Verdict, verdict));
        }

        if (created && GateMetrics.Decisions.Enabled)
        {
            GateMetrics.Decisions.Add(1, new(GateAttributes.Tier, tier), new(GateAttributes.Verdict, verdict), new(GateAttributes.Rule, rule));
        }

        if (_span is null)
        {
            return;
        }

        if (_span.IsAllDataRequested)
        {
            // The reason is the record's: masked by the state machine, unlike the policy's raw text.
            _span.SetTag(GateAttributes.SecurityDecisionType, verdict);
            _span.SetTag(GateAttributes.SecurityDecisionReason, a.Reason);
            _span.SetTag(GateAttributes.SecurityPolicyId, rule);
            _span.SetTag(GateAttributes.SecurityPolicyVersion, a.PolicyVersion);
            _span.SetTag(GateAttributes.Tier, tier);
            _span.SetTag(GateAttributes.Rule, rule);
            _span.SetTag(GateAttributes.Verdict, verdict);
            _span.SetTag(GateAttributes.ApprovalId, a.ApprovalId);
            if (!created)
            {
                _span.SetTag(GateAttributes.Replayed, true);
            }
        }

        _span.Stop();
    }

    /// <summary>The call was refused before a decision (bad request, store unreachable); returns <paramref name="error"/>.</summary>
    public ApprovalError Failed(ApprovalError error)
    {
        var type = TelemetryValues.Error(error.Kind);
        if (_time is not null)
        {
            GateMetrics.CheckDuration.Record(_time.GetElapsedTime(_started).TotalSeconds, new KeyValuePair<string, object?>(GateAttributes.ErrorType, type));
        }

        if (_span is not null)
        {
            // Only the kind: messages of bad requests may quote what the caller sent.
            _span.SetTag(GateAttributes.ErrorType, type);
            _span.SetStatus(ActivityStatusCode.Error);
            _span.Stop();
        }

        return error;
    }

    /// <summary>Ends a span left open by an unexpected exception.</summary>
    public void Dispose()
    {
        if (_span is { IsStopped: false })
        {
            _span.SetTag(GateAttributes.ErrorType, "internal");
            _span.SetStatus(ActivityStatusCode.Error);
            _span.Stop();
        }
    }

    private static Activity? StartSpan(CheckRequest request)
    {
        var span = GateDiagnostics.StartSpan(GateSpans.ApplyGuardrail);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(GateAttributes.GenAiOperationName, GateSpans.ApplyGuardrail);
            span.SetTag(GateAttributes.SecurityTargetType, TelemetryValues.ToolCall);
            span.SetTag(GateAttributes.SecurityTargetId, request.CallId);
            span.SetTag(GateAttributes.GenAiToolName, request.Tool);
            span.SetTag(GateAttributes.GenAiToolCallId, request.CallId);
        }

        return span;
    }
}
