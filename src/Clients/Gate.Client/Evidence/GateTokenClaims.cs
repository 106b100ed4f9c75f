namespace Gate.Client.Evidence;

/// <summary>
/// The claims of a Gate token (a compact JWS signed with ES256). Each property names the JWT claim it
/// carries; all of them are always present in a token Gate issued.
/// </summary>
public sealed class GateTokenClaims
{
    /// <summary>The claim names, as they appear in the token's payload.</summary>
    public static class Names
    {
        public const string Issuer = "iss";
        public const string Subject = "sub";
        public const string TokenId = "jti";
        public const string IssuedAt = "iat";
        public const string ExpiresAt = "exp";
        public const string Tool = "tool";
        public const string Tenant = "tenant";
        public const string Agent = "agent";
        public const string Rule = "rule";
        public const string PolicyVersion = "policy_version";
        public const string ArgsSha256 = "args_sha256";
    }

    /// <summary><c>iss</c>: the issuer, <c>gate</c>.</summary>
    public required string Issuer { get; init; }

    /// <summary><c>sub</c>: the approval id the token was issued for.</summary>
    public required string ApprovalId { get; init; }

    /// <summary><c>jti</c>: the token's unique id (128 random bits, base64url); single use is keyed on it.</summary>
    public required string TokenId { get; init; }

    /// <summary><c>iat</c>: when the token was issued (whole seconds).</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary><c>exp</c>: when the token stops authorising execution (whole seconds).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary><c>tool</c>: the tool the token authorises, e.g. <c>payments.refund</c>.</summary>
    public required string Tool { get; init; }

    /// <summary><c>tenant</c>: the agent's tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary><c>agent</c>: the agent id.</summary>
    public required string Agent { get; init; }

    /// <summary><c>rule</c>: the id of the deciding policy rule; empty for the policy's default.</summary>
    public required string Rule { get; init; }

    /// <summary><c>policy_version</c>: the version of the policy that decided.</summary>
    public required string PolicyVersion { get; init; }

    /// <summary><c>args_sha256</c>: lowercase hex SHA-256 of the JCS form of the arguments that may execute.</summary>
    public required string ArgsSha256 { get; init; }

    /// <summary>The <c>kid</c> of the token's protected header: which published key signed it.</summary>
    public string? KeyId { get; init; }
}
