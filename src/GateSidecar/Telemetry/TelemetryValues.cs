using Gate.V1;
using GateSidecar.Approvals;

namespace GateSidecar.Telemetry;

/// <summary>
/// Attribute values: lower-case names shared by spans and metrics, so a trace and a dashboard
/// filter the same way (<c>gate.tier = single</c>, <c>gate.verdict = pending</c>).
/// </summary>
internal static class TelemetryValues
{
    /// <summary>The <c>gate.rule</c> value when no rule matched and the policy's defaults decided.</summary>
    public const string DefaultRule = "defaults";

    public const string ToolCall = "tool_call";

    public static string Rule(string ruleId) => ruleId.Length == 0 ? DefaultRule : ruleId;

    public static string Tier(RiskTier tier) => ApprovalStates.TierName(tier);

    /// <summary>What the agent was told: allow, deny or pending.</summary>
    public static string Verdict(ApprovalState state) => state switch
    {
        ApprovalState.Allowed or ApprovalState.Approved or ApprovalState.Executed or ApprovalState.Failed => "allow",
        ApprovalState.Pending or ApprovalState.Escalated => "pending",
        _ => "deny",
    };

    public static string State(ApprovalState state) => state switch
    {
        ApprovalState.Pending => "pending",
        ApprovalState.Escalated => "escalated",
        ApprovalState.Approved => "approved",
        ApprovalState.Rejected => "rejected",
        ApprovalState.Expired => "expired",
        ApprovalState.Cancelled => "cancelled",
        ApprovalState.Allowed => "allowed",
        ApprovalState.Denied => "denied",
        ApprovalState.Executed => "executed",
        ApprovalState.Failed => "failed",
        _ => "unspecified",
    };

    public static string Decision(DecisionVerdict verdict) => verdict switch
    {
        DecisionVerdict.Approve => "approve",
        DecisionVerdict.Reject => "reject",
        DecisionVerdict.EditAndApprove => "edit_and_approve",
        DecisionVerdict.Escalate => "escalate",
        _ => "unspecified",
    };

    public static string Error(ApprovalErrorKind kind) => kind switch
    {
        ApprovalErrorKind.InvalidArgument => "invalid_argument",
        ApprovalErrorKind.NotFound => "not_found",
        ApprovalErrorKind.FailedPrecondition => "failed_precondition",
        ApprovalErrorKind.PermissionDenied => "permission_denied",
        ApprovalErrorKind.Unauthenticated => "unauthenticated",
        ApprovalErrorKind.AlreadyExists => "already_exists",
        ApprovalErrorKind.Unavailable => "unavailable",
        ApprovalErrorKind.Aborted => "aborted",
        _ => "internal",
    };
}
