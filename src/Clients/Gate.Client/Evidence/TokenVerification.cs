namespace Gate.Client.Evidence;

/// <summary>The outcome of checking a token: valid, or the first reason it is not.</summary>
public readonly struct TokenVerification
{
    private TokenVerification(TokenFailure failure, string? error, GateTokenClaims? claims)
    {
        Failure = failure;
        Error = error;
        Claims = claims;
    }

    /// <summary>Whether the token authorises the call it was checked against (never true for a <see langword="default"/> instance).</summary>
    public bool Valid => Failure == TokenFailure.None && Claims is not null;

    /// <summary>Why the token was refused; <see cref="TokenFailure.None"/> when valid.</summary>
    public TokenFailure Failure { get; }

    /// <summary>A sentence saying what is wrong and what to do; <see langword="null"/> when valid.</summary>
    public string? Error { get; }

    /// <summary>The token's claims once its signature verified (also for a refusal after that point, e.g. wrong tool); otherwise <see langword="null"/>.</summary>
    public GateTokenClaims? Claims { get; }

    internal static TokenVerification Success(GateTokenClaims claims) => new(TokenFailure.None, null, claims);

    internal static TokenVerification Fail(TokenFailure failure, string error, GateTokenClaims? claims = null) =>
        new(failure, error, claims);

    /// <inheritdoc />
    public override string ToString() => Valid ? $"valid token {Claims!.TokenId}" : $"{Failure}: {Error}";
}
