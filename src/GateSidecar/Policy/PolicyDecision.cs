using Gate.V1;

namespace GateSidecar.Policy;

/// <summary>What happens when people do not decide in time. There is deliberately no "approve".</summary>
internal enum TimeoutAction
{
    Deny,
    Escalate,
}

/// <summary>One rung above the first pool: who decides next and for how long.</summary>
internal sealed record EscalationRung(string Pool, TimeSpan Timeout, TimeoutAction OnTimeout);

/// <summary>
/// Who decides a gated call and under which deadlines; compiled once per rule. <see cref="Quorum"/> is 1 for
/// tier single, N for tier quorum and 0 for auto and block (which never reach people). <see cref="Ladder"/> holds
/// the <c>escalate_to</c> rungs in order; it is empty unless <see cref="OnTimeout"/> is escalate.
/// </summary>
internal sealed record ApprovalRoute(
    string Pool,
    int Quorum,
    TimeSpan Timeout,
    TimeoutAction OnTimeout,
    IReadOnlyList<EscalationRung> Ladder,
    IReadOnlyList<string> ImpactPaths);

/// <summary>
/// The result of evaluating one call. A value: allocation-free on the auto-pass path; the reason
/// and impact are formatted only when asked for.
/// </summary>
internal readonly struct PolicyDecision
{
    private readonly IReasonSource? _reason;
    private readonly CheckRequest? _request;

    public PolicyDecision(RiskTier tier, string ruleId, string policyVersion, ApprovalRoute route, IReasonSource? reason, CheckRequest? request)
    {
        Tier = tier;
        RuleId = ruleId;
        PolicyVersion = policyVersion;
        Route = route;
        _reason = reason;
        _request = request;
    }

    public RiskTier Tier { get; }

    /// <summary>The deciding rule's id; empty when the policy default decided.</summary>
    public string RuleId { get; }

    public string PolicyVersion { get; }

    public ApprovalRoute Route { get; }

    /// <summary>auto → ALLOW, block → DENY, single and quorum → PENDING.</summary>
    public Verdict Verdict => Tier switch
    {
        RiskTier.Auto => Verdict.Allow,
        RiskTier.Block => Verdict.Deny,
        _ => Verdict.Pending,
    };

    /// <summary>Human-readable trigger, e.g. <c>args.amount 900 &gt; 500 (rule large-refund)</c>.</summary>
    public string DescribeReason() => _reason is null || _request is null ? "no rule matched: policy default" : _reason.Describe(_request);
}

/// <summary>Formats why a rule matched a request.</summary>
internal interface IReasonSource
{
    string Describe(CheckRequest request);
}
