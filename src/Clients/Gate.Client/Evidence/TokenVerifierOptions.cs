namespace Gate.Client.Evidence;

/// <summary>How strictly <see cref="TokenVerifier"/> treats time and issuer.</summary>
public sealed class TokenVerifierOptions
{
    /// <summary>The clock; inject a fake one in tests.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How far the verifier's clock may differ from Gate's; 30 seconds by default.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>iss</c> a token must carry; <c>gate</c> by default.</summary>
    public string Issuer { get; init; } = "gate";

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentException.ThrowIfNullOrEmpty(Issuer);
        if (ClockSkew < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ClockSkew), ClockSkew, "ClockSkew must be zero or positive.");
        }
    }
}
