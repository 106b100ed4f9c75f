using Gate.Client.Evidence;
using Gate.V1;

namespace Gate.Client;

/// <summary>Settings of a <see cref="GuardedExecutor"/>.</summary>
public sealed class GuardedExecutorOptions
{
    /// <summary>Fetches the JWKS; a client of the caller's, not disposed by the executor. Null: the executor's own.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Clock, skew and issuer of token verification.</summary>
    public TokenVerifierOptions? VerifierOptions { get; init; }

    /// <summary>
    /// Called with every event of the call before it ends (PENDING, ESCALATED, …) and with the
    /// terminal one, e.g. to tell the user that the call waits for an approver. Must not block.
    /// </summary>
    public Action<ApprovalEvent>? OnEvent { get; init; }

    /// <summary>How long reporting the outcome may take (it is not cancelled by the caller's token: the side effect has happened).</summary>
    public TimeSpan ReportTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A token signed by a key the cached JWKS does not hold (Gate rotated its key) fetches the JWKS
    /// again, at most this often.
    /// </summary>
    public TimeSpan JwksRefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    internal void Validate()
    {
        if (ReportTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ReportTimeout), ReportTimeout, "ReportTimeout must be positive.");
        }

        if (JwksRefreshInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(JwksRefreshInterval), JwksRefreshInterval, "JwksRefreshInterval must be zero or positive.");
        }
    }
}
