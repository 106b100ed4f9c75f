using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gate.Client.Evidence;
using GateSidecar.Tokens;
using Xunit;

namespace GateSidecar.Tests.Tokens;

public sealed class JwksDocumentTests
{
    [Fact]
    public void Jwks_EveryKey_HasContractShape()
    {
        var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var previous = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var expected = new[] { signing.ExportParameters(false), previous.ExportParameters(false) };
        using var ring = new SigningKeyRing([signing, previous]);

        using var document = JsonDocument.Parse(ring.Jwks.Utf8Json);

        Assert.Equal(["keys"], document.RootElement.EnumerateObject().Select(p => p.Name));
        var keys = document.RootElement.GetProperty("keys").EnumerateArray().ToArray();
        Assert.Equal(2, keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            var jwk = keys[i];
            Assert.Equal(["kty", "crv", "x", "y", "kid", "use", "alg"], jwk.EnumerateObject().Select(p => p.Name));
            Assert.Equal("EC", jwk.GetProperty("kty").GetString());
            Assert.Equal("P-256", jwk.GetProperty("crv").GetString());
            Assert.Equal("sig", jwk.GetProperty("use").GetString());
            Assert.Equal("ES256", jwk.GetProperty("alg").GetString());
            Assert.Equal(expected[i].Q.X, Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()));
            Assert.Equal(expected[i].Q.Y, Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()));
            Assert.Equal(ring.KeyIds[i], jwk.GetProperty("kid").GetString());
        }

        Assert.Equal(ring.SigningKeyId, keys[0].GetProperty("kid").GetString());
        Assert.Equal(ring.Jwks.Json, Encoding.UTF8.GetString(ring.Jwks.Utf8Json.Span));
    }

    [Fact]
    public void Kid_IsRfc7638ThumbprintOverRequiredMembersInOrder()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(false);
        using var ring = new SigningKeyRing([key]);

        var members = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64Url.EncodeToString(p.Q.X)}\",\"y\":\"{Base64Url.EncodeToString(p.Q.Y)}\"}}";
        var expected = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(members)));

        Assert.Equal(expected, ring.SigningKeyId);
        Assert.Equal(43, ring.SigningKeyId.Length);
    }

    [Fact]
    public void FromJwks_NoEcKey_FailsWithMessage()
    {
        var error = Assert.Throws<FormatException>(() => TokenVerifier.FromJwks("""{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}"""));

        Assert.Contains("P-256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJwks_PointNotOnCurve_FailsWithMessage()
    {
        var bogus = Base64Url.EncodeToString(new byte[32]);

        var error = Assert.Throws<FormatException>(() => TokenVerifier.FromJwks($$"""{"keys":[{"kty":"EC","crv":"P-256","x":"{{bogus}}","y":"{{bogus}}"}]}"""));

        Assert.Contains("not a point on P-256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJwks_NotAJwks_FailsWithMessage()
    {
        Assert.Contains("\"keys\"", Assert.Throws<FormatException>(() => TokenVerifier.FromJwks("[]")).Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => TokenVerifier.FromJwks("{not json"));
    }
}
