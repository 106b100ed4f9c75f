using Gate.Client.Evidence;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;

namespace GateSidecar.Tokens;

/// <summary>Signs approval tokens with the key ring and reads back tokens this sidecar (or a peer sharing its keys) issued.</summary>
internal sealed class ApprovalTokens(TokenIssuer issuer, TokenVerifier verifier) : IApprovalTokens
{
    public SignedToken Sign(StoredApproval record)
    {
        var a = record.Approval;
        var agent = a.Request?.Agent;
        var issued = issuer.Issue(new TokenClaimsInput(
            a.ApprovalId,
            a.Request?.Tool ?? string.Empty,
            agent?.Tenant ?? string.Empty,
            agent?.AgentId ?? string.Empty,
            a.Rule,
            a.PolicyVersion,
            record.ArgsSha256));
        return new SignedToken(issued.Token, issued.Jti, issued.ExpiresAt);
    }

    public Result<TokenClaims> Read(string token)
    {
        // Reporting an outcome may come after the token's expiry (execution took time): the
        // signature proves issuance; single use is enforced by the jti and the approval's state.
        var verification = verifier.VerifySignature(token);
        if (!verification.Valid)
        {
            return ApprovalError.Denied("the token is not valid: " + verification.Error);
        }

        var c = verification.Claims!;
        return new TokenClaims(c.ApprovalId, c.TokenId, c.ExpiresAt, c.ArgsSha256, c.Tool);
    }
}
