using Gate.V1;

namespace GateSidecar.Approvals;

internal static class ApprovalStates
{
    /// <summary>People may still decide: PENDING or ESCALATED.</summary>
    public static bool IsOpen(ApprovalState state) =>
        state is ApprovalState.Pending or ApprovalState.Escalated;

    /// <summary>Ends a Guard/Watch stream.</summary>
    public static bool EndsStream(ApprovalState state) =>
        state is ApprovalState.Approved or ApprovalState.Rejected or ApprovalState.Expired
            or ApprovalState.Cancelled or ApprovalState.Allowed or ApprovalState.Denied
            or ApprovalState.Executed or ApprovalState.Failed;

    /// <summary>The short contract name, e.g. <c>APPROVED</c>.</summary>
    public static string Name(ApprovalState state) => state switch
    {
        ApprovalState.Pending => "PENDING",
        ApprovalState.Escalated => "ESCALATED",
        ApprovalState.Approved => "APPROVED",
        ApprovalState.Rejected => "REJECTED",
        ApprovalState.Expired => "EXPIRED",
        ApprovalState.Cancelled => "CANCELLED",
        ApprovalState.Allowed => "ALLOWED",
        ApprovalState.Denied => "DENIED",
        ApprovalState.Executed => "EXECUTED",
        ApprovalState.Failed => "FAILED",
        _ => "UNSPECIFIED",
    };

    public static int Rank(RiskTier tier) => tier switch
    {
        RiskTier.Auto => 1,
        RiskTier.Single => 2,
        RiskTier.Quorum => 3,
        RiskTier.Block => 4,
        _ => 0,
    };

    public static RiskTier Stricter(RiskTier a, RiskTier b) => Rank(a) >= Rank(b) ? a : b;

    public static string TierName(RiskTier tier) => tier switch
    {
        RiskTier.Auto => "auto",
        RiskTier.Single => "single",
        RiskTier.Quorum => "quorum",
        RiskTier.Block => "block",
        _ => "unspecified",
    };
}
