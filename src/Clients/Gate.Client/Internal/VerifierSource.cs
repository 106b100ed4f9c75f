using Gate.Client.Evidence;

namespace Gate.Client.Internal;

/// <summary>
/// The token verifier of a <see cref="GuardedExecutor"/>: either given by the caller, or built from
/// Gate's JWKS, fetched once on first use and again (rate-limited) when a token names a key the
/// cached set does not hold.
/// </summary>
internal sealed class VerifierSource : IDisposable
{
    private readonly Uri? _endpoint;
    private readonly HttpClient? _httpClient;
    private readonly TokenVerifierOptions? _options;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeProvider _time;
    private readonly bool _owned;
    private readonly SemaphoreSlim _fetch = new(1, 1);
    private readonly List<TokenVerifier> _retired = [];
    private volatile TokenVerifier? _current;
    private DateTimeOffset _fetchedAt;

    private VerifierSource(TokenVerifier? verifier, Uri? endpoint, HttpClient? httpClient, TokenVerifierOptions? options, TimeSpan refreshInterval, bool owned)
    {
        _current = verifier;
        _endpoint = endpoint;
        _httpClient = httpClient;
        _options = options;
        _refreshInterval = refreshInterval;
        _time = options?.TimeProvider ?? TimeProvider.System;
        _owned = owned;
    }

    /// <summary>The caller's verifier, used as it is (never refreshed, not disposed here).</summary>
    public static VerifierSource Fixed(TokenVerifier verifier) => new(verifier, null, null, null, TimeSpan.Zero, owned: false);

    public static VerifierSource FromJwks(Uri endpoint, HttpClient? httpClient, TokenVerifierOptions? options, TimeSpan refreshInterval) =>
        new(null, endpoint, httpClient, options, refreshInterval, owned: true);

    public async ValueTask<TokenVerifier> GetAsync(CancellationToken cancellationToken) =>
        _current ?? await FetchAsync(stale: null, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("No token verifier.");

    /// <summary>A verifier from a fresh JWKS, or null when this source cannot or may not refresh yet.</summary>
    public async ValueTask<TokenVerifier?> RefreshAsync(TokenVerifier stale, CancellationToken cancellationToken)
    {
        if (_endpoint is null || _time.GetUtcNow() - _fetchedAt < _refreshInterval)
        {
            return null;
        }

        return await FetchAsync(stale, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_owned)
        {
            _current?.Dispose();
            foreach (var retired in _retired)
            {
                retired.Dispose();
            }
        }

        _fetch.Dispose();
    }

    private async Task<TokenVerifier?> FetchAsync(TokenVerifier? stale, CancellationToken cancellationToken)
    {
        await _fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _current;
            if (current is not null && !ReferenceEquals(current, stale))
            {
                return current; // another call fetched meanwhile
            }

            var fresh = await TokenVerifier.FetchJwksAsync(_endpoint!, _httpClient, _options, cancellationToken).ConfigureAwait(false);
            if (current is not null)
            {
                _retired.Add(current); // calls in flight may still use it: disposed with the source
            }

            _fetchedAt = _time.GetUtcNow();
            _current = fresh;
            return fresh;
        }
        finally
        {
            _fetch.Release();
        }
    }
}
