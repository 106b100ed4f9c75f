using Gate.V1;

namespace GateSidecar.Policy.Testing;

/// <summary>What a case expects; a null member is not checked.</summary>
internal sealed record PolicyTestExpectation(RiskTier? Tier, string? Rule, Verdict? Verdict, string? Reason, string? Pool, int? Quorum);

/// <summary>The outcome of one case: <see cref="Actual"/> reads e.g. <c>tier single, rule large-refund, verdict PENDING</c>.</summary>
internal sealed record PolicyTestResult(PolicyTestCase Case, bool Passed, string Actual, IReadOnlyList<string> Mismatches);

/// <summary>One named call and what the policy must decide for it.</summary>
internal sealed record PolicyTestCase(string Name, long Line, CheckRequest Call, PolicyTestExpectation Expect)
{
    public PolicyTestResult Run(CompiledPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var decision = policy.Evaluate(Call);
        var mismatches = new List<string>();
        var tier = PolicyTiers.Name(decision.Tier);
        var verdict = VerdictName(decision.Verdict);
        if (Expect.Tier is { } expectedTier && expectedTier != decision.Tier)
        {
            mismatches.Add($"expected tier {PolicyTiers.Name(expectedTier)}, got {tier}");
        }

        if (Expect.Rule is { } rule && rule != decision.RuleId)
        {
            mismatches.Add($"expected rule {Quote(rule)}, got {Quote(decision.RuleId)}");
        }

        if (Expect.Verdict is { } expectedVerdict && expectedVerdict != decision.Verdict)
        {
            mismatches.Add($"expected verdict {VerdictName(expectedVerdict)}, got {verdict}");
        }

        if (Expect.Reason is { } reason && decision.DescribeReason() is var actualReason && reason != actualReason)
        {
            mismatches.Add($"expected reason \"{reason}\", got \"{actualReason}\"");
        }

        if (Expect.Pool is { } pool && pool != decision.Route.Pool)
        {
            mismatches.Add($"expected pool '{pool}', got '{decision.Route.Pool}'");
        }

        if (Expect.Quorum is { } quorum && quorum != decision.Route.Quorum)
        {
            mismatches.Add($"expected quorum {quorum}, got {decision.Route.Quorum}");
        }

        var actual = $"tier {tier}, rule {Quote(decision.RuleId)}, verdict {verdict}";
        return new PolicyTestResult(this, mismatches.Count == 0, actual, mismatches);
    }

    public static string VerdictName(Verdict verdict) => verdict switch
    {
        Verdict.Allow => "ALLOW",
        Verdict.Deny => "DENY",
        Verdict.Pending => "PENDING",
        _ => "UNSPECIFIED",
    };

    private static string Quote(string rule) => rule.Length == 0 ? "(default)" : rule;
}
