using Gate.V1;

namespace GateSidecar.Policy.Loading;

/// <summary>The effective <c>defaults</c>: what applies when no rule matches and what rules inherit.</summary>
internal sealed class DefaultsSpec
{
    public const string ImplicitPool = "default";

    public RiskTier Tier { get; set; } = RiskTier.Single;

    public string Pool { get; set; } = ImplicitPool;

    /// <summary>False when the pool is unknown; <see cref="PoolReported"/> says whether that was already an error.</summary>
    public bool PoolDefined { get; set; }

    public bool PoolReported { get; set; }

    public int Quorum { get; set; } = 2;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeoutAction OnTimeout { get; set; } = TimeoutAction.Deny;

    public RungSpec? EscalateTo { get; set; }

    /// <summary>True when <c>escalate_to</c> was written but invalid (already reported).</summary>
    public bool EscalateToBroken { get; set; }

    public ApprovalRoute Route { get; set; } = null!;
}
