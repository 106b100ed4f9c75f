using System.Buffers;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;

namespace Gate.Client.Evidence;

/// <summary>
/// Verifies Gate tokens offline, against the public keys Gate publishes at
/// <c>/.well-known/jwks.json</c>: the ES256 signature, the issuer, the validity window, and that
/// the token authorises exactly this tool, tenant and argument set. Thread-safe.
/// </summary>
public sealed class TokenVerifier : IDisposable
{
    private const string JwksPath = "/.well-known/jwks.json";

    private readonly FrozenDictionary<string, ECDsa> _keys;
    private readonly TokenVerifierOptions _options;

    /// <summary>Creates a verifier for the given public keys; each key's <c>kid</c> is its RFC 7638 thumbprint.</summary>
    public TokenVerifier(IEnumerable<ECDsa> publicKeys, TokenVerifierOptions? options = null)
        : this(FromKeys(publicKeys), options)
    {
    }

    private TokenVerifier(List<KeyValuePair<string, ECDsa>> keys, TokenVerifierOptions? options)
    {
        _options = options ?? new TokenVerifierOptions();
        _options.Validate();
        _keys = keys.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The <c>kid</c>s this verifier accepts.</summary>
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>Creates a verifier from a JWKS document (the body of <c>GET /.well-known/jwks.json</c>).</summary>
    /// <exception cref="FormatException">The text is not a JWKS holding at least one EC P-256 key.</exception>
    public static TokenVerifier FromJwks(string jwksJson, TokenVerifierOptions? options = null) =>
        new(JwksReader.Read(jwksJson), options);

    /// <summary>
    /// Fetches Gate's JWKS and creates a verifier from it. <paramref name="endpoint"/> is either the
    /// full JWKS address or the HTTP port's base address (<c>http://127.0.0.1:7080</c>), to which
    /// <c>/.well-known/jwks.json</c> is appended.
    /// </summary>
    public static async Task<TokenVerifier> FetchJwksAsync(
        Uri endpoint,
        HttpClient? httpClient = null,
        TokenVerifierOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var address = endpoint.AbsolutePath is "" or "/" ? new Uri(endpoint, JwksPath) : endpoint;
        var client = httpClient ?? new HttpClient();
        try
        {
            using var response = await client.GetAsync(address, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"GET {address} answered {(int)response.StatusCode} {response.ReasonPhrase}; check the address of Gate's HTTP port.",
                    null,
                    response.StatusCode);
            }

            return FromJwks(body, options);
        }
        finally
        {
            if (httpClient is null)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>
    /// Checks that <paramref name="token"/> authorises calling <paramref name="expectedTool"/> with
    /// exactly <paramref name="arguments"/> (and, when given, for <paramref name="expectedTenant"/>) now.
    /// </summary>
    public TokenVerification Verify(string token, string expectedTool, Struct? arguments, string? expectedTenant = null)
    {
        ArgumentNullException.ThrowIfNull(expectedTool);
        var verification = VerifySignature(token);
        if (!verification.Valid)
        {
            return verification;
        }

        var claims = verification.Claims!;
        var now = _options.TimeProvider.GetUtcNow();
        if (claims.ExpiresAt + _options.ClockSkew <= now)
        {
            return TokenVerification.Fail(
                TokenFailure.Expired,
                $"the token expired at {claims.ExpiresAt:O} (now {now:O}); ask Gate again with Check for a fresh token",
                claims);
        }

        if (claims.IssuedAt - _options.ClockSkew > now)
        {
            return TokenVerification.Fail(
                TokenFailure.NotYetValid,
                $"the token is issued at {claims.IssuedAt:O}, later than now ({now:O}) beyond the allowed skew of {_options.ClockSkew}; check this host's clock",
                claims);
        }

        if (!string.Equals(claims.Tool, expectedTool, StringComparison.Ordinal))
        {
            return TokenVerification.Fail(
                TokenFailure.WrongTool,
                $"the token authorises tool \"{claims.Tool}\", not \"{expectedTool}\"",
                claims);
        }

        if (expectedTenant is not null && !string.Equals(claims.Tenant, expectedTenant, StringComparison.Ordinal))
        {
            return TokenVerification.Fail(
                TokenFailure.WrongTenant,
                $"the token was issued for tenant \"{claims.Tenant}\", not \"{expectedTenant}\"",
                claims);
        }

        string argsHash;
        try
        {
            argsHash = ArgsHash.Compute(arguments);
        }
        catch (JcsException e)
        {
            return TokenVerification.Fail(TokenFailure.ArgumentsMismatch, $"the arguments cannot be hashed: {e.Message}", claims);
        }

        if (!string.Equals(argsHash, claims.ArgsSha256, StringComparison.Ordinal))
        {
            return TokenVerification.Fail(
                TokenFailure.ArgumentsMismatch,
                $"the arguments differ from those the token authorises (args_sha256 {argsHash}, token {claims.ArgsSha256}); execute exactly the approved arguments",
                claims);
        }

        return verification;
    }

    /// <summary>
    /// Checks only what proves that Gate issued the token: its structure, <c>alg</c> ES256, a known
    /// <c>kid</c>, the signature and the issuer. Time, tool, tenant and arguments are not checked.
    /// </summary>
    public TokenVerification VerifySignature(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!CompactJws.TrySplit(token, out var firstDot, out var secondDot, out var error)
            || !CompactJws.TryDecode(token.AsSpan(0, firstDot), out var headerJson)
            || !CompactJws.TryDecode(token.AsSpan(firstDot + 1, secondDot - firstDot - 1), out var payloadJson))
        {
            return TokenVerification.Fail(TokenFailure.Malformed, error.Length > 0 ? error : "a part of the token is not strict base64url");
        }

        if (!CompactJws.TryReadHeader(headerJson, out var header, out error))
        {
            return TokenVerification.Fail(TokenFailure.Malformed, error);
        }

        if (header.Algorithm != "ES256" || header.HasCritical || header.Type is not (null or "JWT"))
        {
            return TokenVerification.Fail(
                TokenFailure.UnsupportedAlgorithm,
                $"the token's header says alg \"{header.Algorithm ?? "(missing)"}\"{(header.HasCritical ? " with critical extensions" : string.Empty)}; Gate tokens are signed with ES256 only");
        }

        if (header.KeyId is null || !_keys.TryGetValue(header.KeyId, out var key))
        {
            return TokenVerification.Fail(
                TokenFailure.UnknownKey,
                $"the token is signed by key \"{header.KeyId ?? "(no kid)"}\", which is not among the published keys ({string.Join(", ", _keys.Keys)}); refresh the JWKS from Gate");
        }

        if (!CompactJws.TryDecode(token.AsSpan(secondDot + 1), out var signature)
            || signature.Length != 64
            || !VerifyEs256(key, token.AsSpan(0, secondDot), signature))
        {
            return TokenVerification.Fail(TokenFailure.BadSignature, "the token's signature does not verify: it was altered or not issued by Gate");
        }

        var claims = TokenClaimsReader.TryRead(payloadJson, header.KeyId, out error);
        if (claims is null)
        {
            return TokenVerification.Fail(TokenFailure.Malformed, error);
        }

        if (!string.Equals(claims.Issuer, _options.Issuer, StringComparison.Ordinal))
        {
            return TokenVerification.Fail(
                TokenFailure.WrongIssuer,
                $"the token's issuer is \"{claims.Issuer}\", not \"{_options.Issuer}\"",
                claims);
        }

        return TokenVerification.Success(claims);
    }

    /// <summary>Decodes a token's claims without checking anything but its structure.</summary>
    /// <exception cref="FormatException">The token is not a compact JWS carrying Gate's claims.</exception>
    public static GateTokenClaims ReadClaimsUnverified(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!CompactJws.TrySplit(token, out var firstDot, out var secondDot, out var error))
        {
            throw new FormatException($"Not a Gate token: {error}.");
        }

        if (!CompactJws.TryDecode(token.AsSpan(0, firstDot), out var headerJson)
            || !CompactJws.TryDecode(token.AsSpan(firstDot + 1, secondDot - firstDot - 1), out var payloadJson))
        {
            throw new FormatException("Not a Gate token: a part is not strict base64url.");
        }

        if (!CompactJws.TryReadHeader(headerJson, out var header, out error))
        {
            throw new FormatException($"Not a Gate token: {error}.");
        }

        return TokenClaimsReader.TryRead(payloadJson, header.KeyId, out error)
            ?? throw new FormatException($"Not a Gate token: {error}.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private static bool VerifyEs256(ECDsa key, ReadOnlySpan<char> signingInput, ReadOnlySpan<byte> signature)
    {
        // The signing input is base64url text, so one byte per char.
        var bytes = ArrayPool<byte>.Shared.Rent(signingInput.Length);
        try
        {
            var length = Encoding.ASCII.GetBytes(signingInput, bytes);
            return key.VerifyData(bytes.AsSpan(0, length), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static List<KeyValuePair<string, ECDsa>> FromKeys(IEnumerable<ECDsa> publicKeys)
    {
        ArgumentNullException.ThrowIfNull(publicKeys);
        var result = new List<KeyValuePair<string, ECDsa>>();
        foreach (var key in publicKeys)
        {
            var parameters = key.ExportParameters(includePrivateParameters: false);
            var kid = EcKeys.Thumbprint(parameters);
            if (!result.Exists(k => k.Key == kid))
            {
                result.Add(new KeyValuePair<string, ECDsa>(kid, EcKeys.PublicCopy(parameters)));
            }
        }

        if (result.Count == 0)
        {
            throw new ArgumentException("At least one public key is needed to verify Gate tokens.", nameof(publicKeys));
        }

        return result;
    }
}
