using GateSidecar.Approvals.Stored;

namespace GateSidecar.Approvals;

/// <summary>Signs and reads the tokens that authorise execution (implemented in Tokens/).</summary>
internal interface IApprovalTokens
{
    /// <summary>A token for an ALLOWED or APPROVED record, bound to its final arguments' hash.</summary>
    SignedToken Sign(StoredApproval record);

    /// <summary>Verifies a token's signature and expiry against this sidecar's keys and returns its claims.</summary>
    Result<TokenClaims> Read(string token);
}

internal readonly record struct SignedToken(string Token, string Jti, DateTimeOffset ExpiresAt);

internal sealed record TokenClaims(string ApprovalId, string Jti, DateTimeOffset ExpiresAt, string ArgsSha256, string Tool);
