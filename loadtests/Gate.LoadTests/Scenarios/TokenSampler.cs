using Gate.Client.Evidence;
using Gate.LoadTests.Infrastructure;
using Gate.V1;
using Google.Protobuf.WellKnownTypes;

namespace Gate.LoadTests.Scenarios;

/// <summary>
/// Verifies every N-th token offline, the way an agent's executor would: ES256 signature against the
/// JWKS served on the sidecar's HTTP port, issuer, validity, tool, tenant and the exact arguments.
/// </summary>
internal sealed class TokenSampler : IDisposable
{
    private readonly TokenVerifier? _verifier;
    private readonly int _every;
    private readonly List<string> _failures = [];
    private long _seen;
    private long _verified;

    private TokenSampler(TokenVerifier? verifier, int every, string? unavailable)
    {
        _verifier = verifier;
        _every = Math.Max(1, every);
        Unavailable = unavailable;
    }

    /// <summary>Why tokens cannot be checked (no HTTP address known), or null.</summary>
    public string? Unavailable { get; }

    public long Verified => Interlocked.Read(ref _verified);

    public int FailureCount
    {
        get
        {
            lock (_failures)
            {
                return _failures.Count;
            }
        }
    }

    public string FirstFailure
    {
        get
        {
            lock (_failures)
            {
                return _failures.Count == 0 ? string.Empty : _failures[0];
            }
        }
    }

    public static async Task<TokenSampler> CreateAsync(Sidecar sidecar, int every)
    {
        if (sidecar.HttpAddress is null)
        {
            return new TokenSampler(null, every, "no HTTP address for the JWKS (pass --target-http)");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var verifier = await TokenVerifier.FetchJwksAsync(sidecar.HttpAddress, cancellationToken: timeout.Token).ConfigureAwait(false);
        return new TokenSampler(verifier, every, null);
    }

    /// <summary>Counts the token, and verifies it when its turn comes.</summary>
    public void Offer(string token, string tool, Struct? arguments)
    {
        if (_verifier is null || Interlocked.Increment(ref _seen) % _every != 0)
        {
            return;
        }

        var result = _verifier.Verify(token, tool, arguments, Calls.Tenant);
        Interlocked.Increment(ref _verified);
        if (!result.Valid)
        {
            lock (_failures)
            {
                _failures.Add(result.ToString());
            }
        }
    }

    /// <summary>Verifies an approval's token against the arguments that may execute.</summary>
    public void Offer(Approval approval) => Offer(approval.Token, approval.Request.Tool, approval.FinalArguments ?? approval.Request.Arguments);

    public void Dispose() => _verifier?.Dispose();
}
