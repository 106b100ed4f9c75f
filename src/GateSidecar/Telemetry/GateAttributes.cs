namespace GateSidecar.Telemetry;

/// <summary>
/// Span and metric attribute names. Values are identifiers only (ids, names, enum values, the
/// already-redacted reason): never an argument value, so the policy's redact paths cannot leak.
/// </summary>
internal static class GateAttributes
{
    // RPC semantic conventions (server spans).
    public const string RpcSystem = "rpc.system";
    public const string RpcService = "rpc.service";
    public const string RpcMethod = "rpc.method";
    public const string RpcGrpcStatusCode = "rpc.grpc.status_code";
    public const string ErrorType = "error.type";

    // GenAI guardrail conventions (the policy decision).
    public const string GenAiOperationName = "gen_ai.operation.name";
    public const string GenAiToolName = "gen_ai.tool.name";
    public const string GenAiToolCallId = "gen_ai.tool.call.id";
    public const string SecurityDecisionType = "gen_ai.security.decision.type";
    public const string SecurityDecisionReason = "gen_ai.security.decision.reason";
    public const string SecurityTargetType = "gen_ai.security.target.type";
    public const string SecurityTargetId = "gen_ai.security.target.id";
    public const string SecurityPolicyId = "gen_ai.security.policy.id";
    public const string SecurityPolicyVersion = "gen_ai.security.policy.version";

    // Database conventions (store spans and metrics).
    public const string DbSystemName = "db.system.name";
    public const string DbOperationName = "db.operation.name";

    // Gate's own.
    public const string Tier = "gate.tier";
    public const string Rule = "gate.rule";
    public const string Verdict = "gate.verdict";
    public const string ApprovalId = "gate.approval_id";
    public const string ApprovalState = "gate.approval.state";
    public const string Pool = "gate.pool";
    public const string Approver = "gate.approver";
    public const string DecisionVerdict = "gate.decision.verdict";
    public const string EscalationLevel = "gate.approval.escalation_level";
    public const string Edited = "gate.approval.edited";
    public const string EndedBy = "gate.approval.ended_by";
    public const string EscalationCause = "gate.escalation.cause";
    public const string Replayed = "gate.check.replayed";
    public const string NotificationChannel = "gate.notification.channel";
}

/// <summary>Span names that are not per RPC (server spans are named <c>package.Service/Method</c>).</summary>
internal static class GateSpans
{
    public const string ApplyGuardrail = "apply_guardrail";
    public const string ApprovalWait = "gate.approval.wait";
    public const string ApprovalDecide = "gate.approval.decide";
    public const string StorePrefix = "gate.store.";
}
