using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Gate.Client.Evidence;
using Google.Protobuf.WellKnownTypes;
using GateSidecar.Tokens;
using Xunit;

namespace GateSidecar.Tests.Tokens;

public sealed class TokenVerifierTests : IDisposable
{
    private readonly SigningKeyRing _keys = SigningKeyRing.CreateEphemeral();
    private readonly ManualClock _clock = new(TokenTestData.Start);
    private readonly Struct _args = TokenTestData.Arguments();
    private readonly TokenVerifier _verifier;
    private readonly string _token;

    public TokenVerifierTests()
    {
        _verifier = TokenVerifier.FromJwks(_keys.Jwks.Json, new TokenVerifierOptions { TimeProvider = _clock });
        _token = new TokenIssuer(_keys, _clock).Issue(TokenTestData.Input(_args)).Token;
    }

    public void Dispose()
    {
        _verifier.Dispose();
        _keys.Dispose();
    }

    [Fact]
    public void Verify_ExactCall_IsValid()
    {
        var result = _verifier.Verify(_token, "payments.refund", _args, "acme");

        Assert.True(result.Valid, result.Error);
        Assert.Equal(TokenFailure.None, result.Failure);
    }

    [Fact]
    public void Verify_ArgumentsInAnotherKeyOrder_IsValid()
    {
        var reordered = new Struct();
        foreach (var key in _args.Fields.Keys.Reverse())
        {
            reordered.Fields[key] = _args.Fields[key];
        }

        Assert.True(_verifier.Verify(_token, "payments.refund", reordered).Valid);
    }

    [Fact]
    public void Verify_OtherArguments_RefusedAsArgumentsMismatch()
    {
        var other = _args.Clone();
        other.Fields["amount"] = Value.ForNumber(90000);

        var result = _verifier.Verify(_token, "payments.refund", other, "acme");

        Assert.Equal(TokenFailure.ArgumentsMismatch, result.Failure);
        Assert.Contains("arguments differ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ArgumentsWithNaN_RefusedNotThrown()
    {
        var other = _args.Clone();
        other.Fields["amount"] = Value.ForNumber(double.NaN);

        Assert.Equal(TokenFailure.ArgumentsMismatch, _verifier.Verify(_token, "payments.refund", other).Failure);
    }

    [Fact]
    public void Verify_AnotherTool_RefusedAsWrongTool()
    {
        var result = _verifier.Verify(_token, "payments.charge", _args);

        Assert.Equal(TokenFailure.WrongTool, result.Failure);
        Assert.Contains("payments.refund", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_AnotherTenant_RefusedAsWrongTenant()
    {
        Assert.Equal(TokenFailure.WrongTenant, _verifier.Verify(_token, "payments.refund", _args, "globex").Failure);
    }

    [Fact]
    public void Verify_AfterExpiryPlusSkew_RefusedAsExpired()
    {
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30));

        var result = _verifier.Verify(_token, "payments.refund", _args);

        Assert.Equal(TokenFailure.Expired, result.Failure);
        Assert.NotNull(result.Claims);
    }

    [Fact]
    public void Verify_AfterExpiryWithinSkew_IsValid()
    {
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(29));

        Assert.True(_verifier.Verify(_token, "payments.refund", _args).Valid);
    }

    [Fact]
    public void Verify_IssuedInTheFutureBeyondSkew_RefusedAsNotYetValid()
    {
        _clock.Advance(TimeSpan.FromMinutes(-1));

        Assert.Equal(TokenFailure.NotYetValid, _verifier.Verify(_token, "payments.refund", _args).Failure);
    }

    [Fact]
    public void Verify_TokenSignedByUnknownKey_RefusedAsUnknownKey()
    {
        using var stranger = SigningKeyRing.CreateEphemeral();
        var token = new TokenIssuer(stranger, _clock).Issue(TokenTestData.Input(_args)).Token;

        var result = _verifier.Verify(token, "payments.refund", _args);

        Assert.Equal(TokenFailure.UnknownKey, result.Failure);
        Assert.Contains(stranger.SigningKeyId, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ForeignSignatureUnderPublishedKid_RefusedAsBadSignature()
    {
        using var stranger = SigningKeyRing.CreateEphemeral();
        var parts = _token.Split('.');
        var forged = Sign(stranger.Signer, parts[0] + "." + parts[1]);

        Assert.Equal(TokenFailure.BadSignature, _verifier.Verify(forged, "payments.refund", _args).Failure);
    }

    [Fact]
    public void Verify_AlgNone_RefusedAsUnsupportedAlgorithm()
    {
        var payload = _token.Split('.')[1];
        var header = Base64Url.EncodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8);

        Assert.Equal(TokenFailure.UnsupportedAlgorithm, _verifier.Verify(header + "." + payload + ".", "payments.refund", _args).Failure);
        Assert.Equal(TokenFailure.Malformed, _verifier.Verify(header + "." + payload, "payments.refund", _args).Failure);
        var withSignature = header + "." + payload + "." + _token.Split('.')[2];
        Assert.Equal(TokenFailure.UnsupportedAlgorithm, _verifier.Verify(withSignature, "payments.refund", _args).Failure);
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("ES384")]
    [InlineData("es256")]
    public void Verify_OtherAlgorithmWithPublishedKid_RefusedAsUnsupportedAlgorithm(string alg)
    {
        var parts = _token.Split('.');
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"alg\":\"{alg}\",\"kid\":\"{_keys.SigningKeyId}\"}}"));

        Assert.Equal(TokenFailure.UnsupportedAlgorithm, _verifier.Verify($"{header}.{parts[1]}.{parts[2]}", "payments.refund", _args).Failure);
    }

    [Fact]
    public void Verify_TamperedPayload_RefusedAsBadSignature()
    {
        var parts = _token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("payments.refund", "payments.refunX", StringComparison.Ordinal);
        var tampered = parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + "." + parts[2];

        Assert.Equal(TokenFailure.BadSignature, _verifier.Verify(tampered, "payments.refunX", _args).Failure);
    }

    [Fact]
    public void Verify_SignatureWithPaddingOrAlternativeSpelling_Refused()
    {
        var padded = _token + "=";
        var lastChar = _token[^1];
        var respelled = _token[..^1] + (char)(lastChar == 'A' ? 'B' : lastChar - 1);

        Assert.Equal(TokenFailure.BadSignature, _verifier.Verify(padded, "payments.refund", _args).Failure);
        Assert.NotEqual(TokenFailure.None, _verifier.Verify(respelled, "payments.refund", _args).Failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    [InlineData("e30.e30.")]
    public void Verify_NotACompactJws_RefusedAsMalformed(string token)
    {
        var result = _verifier.Verify(token, "payments.refund", _args);

        Assert.False(result.Valid);
        Assert.Contains(result.Failure, new[] { TokenFailure.Malformed, TokenFailure.UnsupportedAlgorithm });
    }

    [Fact]
    public void Verify_SignedTokenMissingAClaim_RefusedAsMalformed()
    {
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"alg\":\"ES256\",\"kid\":\"{_keys.SigningKeyId}\"}}"));
        var payload = Base64Url.EncodeToString("{\"iss\":\"gate\",\"sub\":\"a\",\"jti\":\"j\",\"iat\":1,\"exp\":2}"u8);

        var result = _verifier.Verify(Sign(_keys.Signer, header + "." + payload), "payments.refund", _args);

        Assert.Equal(TokenFailure.Malformed, result.Failure);
        Assert.Contains("\"tool\"", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_RotatedKeyRing_OlderPublishedKeyVerifiesUnpublishedDoesNot()
    {
        var oldKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var unpublished = SigningKeyRing.CreateEphemeral();
        var oldRing = new SigningKeyRing([ECDsa.Create(oldKey.ExportParameters(true))]);
        var oldToken = new TokenIssuer(oldRing, _clock).Issue(TokenTestData.Input(_args)).Token;
        var unpublishedToken = new TokenIssuer(unpublished, _clock).Issue(TokenTestData.Input(_args)).Token;
        oldRing.Dispose();

        using var rotated = new SigningKeyRing([newKey, oldKey]);
        using var verifier = TokenVerifier.FromJwks(rotated.Jwks.Json, new TokenVerifierOptions { TimeProvider = _clock });
        var newToken = new TokenIssuer(rotated, _clock).Issue(TokenTestData.Input(_args)).Token;

        Assert.True(verifier.Verify(oldToken, "payments.refund", _args).Valid);
        Assert.True(verifier.Verify(newToken, "payments.refund", _args).Valid);
        Assert.Equal(rotated.KeyIds[0], TokenVerifier.ReadClaimsUnverified(newToken).KeyId);
        Assert.Equal(TokenFailure.UnknownKey, verifier.Verify(unpublishedToken, "payments.refund", _args).Failure);
    }

    [Fact]
    public void VerifySignature_ExpiredToken_StillProvesIssuance()
    {
        _clock.Advance(TimeSpan.FromHours(1));

        var result = _verifier.VerifySignature(_token);

        Assert.True(result.Valid, result.Error);
        Assert.Equal("apr_01HZX", result.Claims!.ApprovalId);
    }

    [Fact]
    public void ReadClaimsUnverified_Garbage_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => TokenVerifier.ReadClaimsUnverified("not-a-token"));
        Assert.Equal("apr_01HZX", TokenVerifier.ReadClaimsUnverified(_token).ApprovalId);
    }

    [Fact]
    public void Verifier_FromPublicKeys_AcceptsTokensOfThoseKeys()
    {
        using var publicOnly = ECDsa.Create(_keys.Signer.ExportParameters(false));
        using var verifier = new TokenVerifier([publicOnly], new TokenVerifierOptions { TimeProvider = _clock });

        Assert.Equal([_keys.SigningKeyId], verifier.KeyIds);
        Assert.True(verifier.Verify(_token, "payments.refund", _args).Valid);
    }

    [Fact]
    public void TokenVerification_DefaultValue_IsNotValid()
    {
        Assert.False(default(TokenVerification).Valid);
    }

    private static string Sign(ECDsa key, string signingInput)
    {
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}
