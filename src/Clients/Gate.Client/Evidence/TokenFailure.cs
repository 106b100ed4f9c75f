namespace Gate.Client.Evidence;

/// <summary>Why a token was refused; <see cref="None"/> for a valid token.</summary>
public enum TokenFailure
{
    /// <summary>The token is valid.</summary>
    None = 0,

    /// <summary>Not a compact JWS with a JSON header and payload carrying every Gate claim.</summary>
    Malformed,

    /// <summary>The header's <c>alg</c> is not <c>ES256</c> (e.g. <c>none</c>), or it declares critical extensions.</summary>
    UnsupportedAlgorithm,

    /// <summary>The header's <c>kid</c> names no published key.</summary>
    UnknownKey,

    /// <summary>The signature does not verify with the named key.</summary>
    BadSignature,

    /// <summary>The <c>iss</c> claim is not Gate's.</summary>
    WrongIssuer,

    /// <summary>The token's <c>exp</c> has passed (beyond the allowed clock skew).</summary>
    Expired,

    /// <summary>The token's <c>iat</c> lies in the future (beyond the allowed clock skew).</summary>
    NotYetValid,

    /// <summary>The token authorises another tool.</summary>
    WrongTool,

    /// <summary>The token was issued for another tenant.</summary>
    WrongTenant,

    /// <summary>The arguments differ from those the token is bound to.</summary>
    ArgumentsMismatch,
}
