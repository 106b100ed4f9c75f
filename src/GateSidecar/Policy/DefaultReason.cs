using Gate.V1;

namespace GateSidecar.Policy;

/// <summary>The reason given when no rule matched; formatted once per policy.</summary>
internal sealed class DefaultReason(RiskTier tier) : IReasonSource
{
    private readonly string _text = $"no rule matched: policy default (tier {PolicyTiers.Name(tier)})";

    public string Describe(CheckRequest request) => _text;
}
