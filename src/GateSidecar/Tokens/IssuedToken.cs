namespace GateSidecar.Tokens;

/// <summary>A signed token and the facts the sidecar records about it.</summary>
/// <param name="Token">The compact JWS handed to the agent.</param>
/// <param name="Jti">The token's unique id; single use (ReportOutcome) is keyed on it.</param>
/// <param name="IssuedAt">The <c>iat</c> claim.</param>
/// <param name="ExpiresAt">The <c>exp</c> claim.</param>
internal readonly record struct IssuedToken(string Token, string Jti, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);
