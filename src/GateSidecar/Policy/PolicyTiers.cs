using Gate.V1;

namespace GateSidecar.Policy;

/// <summary>The policy file's spelling of tiers: <c>auto</c>, <c>single</c>, <c>quorum</c>, <c>block</c>.</summary>
internal static class PolicyTiers
{
    public static string Name(RiskTier tier) => tier switch
    {
        RiskTier.Auto => "auto",
        RiskTier.Single => "single",
        RiskTier.Quorum => "quorum",
        RiskTier.Block => "block",
        _ => "unspecified",
    };

    public static bool TryParse(string text, out RiskTier tier)
    {
        tier = text switch
        {
            "auto" => RiskTier.Auto,
            "single" => RiskTier.Single,
            "quorum" => RiskTier.Quorum,
            "block" => RiskTier.Block,
            _ => RiskTier.Unspecified,
        };
        return tier != RiskTier.Unspecified;
    }
}
