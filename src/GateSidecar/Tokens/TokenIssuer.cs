using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gate.Client.Evidence;

namespace GateSidecar.Tokens;

/// <summary>
/// Issues Gate tokens: compact JWS, ES256 (P-256, IEEE P1363 signature), claims of SPEC §5. On the
/// auto-pass hot path, so the header is encoded once, the payload is written into a per-thread
/// buffer and the only allocations are the jti and the token strings. Thread-safe.
/// </summary>
internal sealed class TokenIssuer
{
    public const string Issuer = "gate";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    private const int SignatureLength = 64;
    private const int EncodedSignatureLength = 86;

    [ThreadStatic]
    private static Scratch? t_scratch;

    private readonly ECDsa _signer;
    private readonly byte[] _encodedHeader;
    private readonly TimeProvider _time;
    private readonly long _lifetimeSeconds;

    public TokenIssuer(SigningKeyRing keys, TimeProvider timeProvider, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Lifetime = lifetime ?? DefaultLifetime;
        if (Lifetime < TimeSpan.FromSeconds(1) || Lifetime.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), Lifetime, "The token lifetime must be a whole number of seconds, at least 1 s (exp is in whole seconds).");
        }

        _signer = keys.Signer;
        _time = timeProvider;
        _lifetimeSeconds = (long)Lifetime.TotalSeconds;
        // A kid is a base64url thumbprint, so it needs no JSON escaping.
        var header = Encoding.ASCII.GetBytes("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"" + keys.SigningKeyId + "\"}");
        _encodedHeader = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(header) + ".");
        KeyId = keys.SigningKeyId;
    }

    public TimeSpan Lifetime { get; }

    public string KeyId { get; }

    public IssuedToken Issue(in TokenClaimsInput input)
    {
        Validate(input);
        var scratch = t_scratch ??= new Scratch();

        // 1. Claims.
        var iat = _time.GetUtcNow().ToUnixTimeSeconds();
        var exp = iat + _lifetimeSeconds;
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        var jti = Base64Url.EncodeToString(random);
        var payload = scratch.WritePayload(input, jti, iat, exp);

        // 2. Signing input: base64url(header) "." base64url(payload).
        var payloadLength = Base64Url.GetEncodedLength(payload.Length);
        var inputLength = _encodedHeader.Length + payloadLength;
        var total = inputLength + 1 + EncodedSignatureLength;
        var buffer = scratch.Output(total);
        _encodedHeader.CopyTo(buffer);
        Base64Url.EncodeToUtf8(payload, buffer.AsSpan(_encodedHeader.Length, payloadLength));

        // 3. Signature (r || s), appended as the third part.
        Span<byte> signature = stackalloc byte[SignatureLength];
        if (!_signer.TrySignData(buffer.AsSpan(0, inputLength), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out var written)
            || written != SignatureLength)
        {
            throw new CryptographicException("ES256 signing produced no 64-byte signature.");
        }

        buffer[inputLength] = (byte)'.';
        Base64Url.EncodeToUtf8(signature, buffer.AsSpan(inputLength + 1, EncodedSignatureLength));
        var token = Encoding.ASCII.GetString(buffer, 0, total);
        return new IssuedToken(token, jti, DateTimeOffset.FromUnixTimeSeconds(iat), DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    private static void Validate(in TokenClaimsInput input)
    {
        if (input.ApprovalId is null || input.Tool is null || input.Tenant is null || input.AgentId is null
            || input.Rule is null || input.PolicyVersion is null || input.ArgsSha256 is not { Length: 64 })
        {
            throw new ArgumentException("Every token claim needs a value (empty strings are allowed) and ArgsSha256 must be 64 hex characters.", nameof(input));
        }
    }

    /// <summary>Per-thread buffers, so issuing allocates no intermediate arrays.</summary>
    private sealed class Scratch
    {
        private readonly ArrayBufferWriter<byte> _payload = new(512);
        private readonly Utf8JsonWriter _writer;
        private byte[] _output = new byte[1024];

        public Scratch()
        {
            _writer = new Utf8JsonWriter(_payload);
        }

        public ReadOnlySpan<byte> WritePayload(in TokenClaimsInput input, string jti, long iat, long exp)
        {
            _payload.ResetWrittenCount();
            _writer.Reset(_payload);
            _writer.WriteStartObject();
            _writer.WriteString(GateTokenClaims.Names.Issuer, Issuer);
            _writer.WriteString(GateTokenClaims.Names.Subject, input.ApprovalId);
            _writer.WriteString(GateTokenClaims.Names.TokenId, jti);
            _writer.WriteNumber(GateTokenClaims.Names.IssuedAt, iat);
            _writer.WriteNumber(GateTokenClaims.Names.ExpiresAt, exp);
            _writer.WriteString(GateTokenClaims.Names.Tool, input.Tool);
            _writer.WriteString(GateTokenClaims.Names.Tenant, input.Tenant);
            _writer.WriteString(GateTokenClaims.Names.Agent, input.AgentId);
            _writer.WriteString(GateTokenClaims.Names.Rule, input.Rule);
            _writer.WriteString(GateTokenClaims.Names.PolicyVersion, input.PolicyVersion);
            _writer.WriteString(GateTokenClaims.Names.ArgsSha256, input.ArgsSha256);
            _writer.WriteEndObject();
            _writer.Flush();
            return _payload.WrittenSpan;
        }

        public byte[] Output(int length)
        {
            if (_output.Length < length)
            {
                _output = new byte[Math.Max(length, _output.Length * 2)];
            }

            return _output;
        }
    }
}
