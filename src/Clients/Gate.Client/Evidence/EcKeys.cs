using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Gate.Client.Evidence;

/// <summary>EC P-256 public keys as JSON Web Keys: the curve check and the RFC 7638 thumbprint used as <c>kid</c>.</summary>
public static class EcKeys
{
    /// <summary>The OID of NIST P-256 (secp256r1, prime256v1).</summary>
    public const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>Whether <paramref name="curve"/> is NIST P-256, the curve of ES256.</summary>
    public static bool IsP256(ECCurve curve)
    {
        if (!curve.IsNamed)
        {
            return false;
        }

        return curve.Oid.Value == P256Oid
            || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1";
    }

    /// <summary>A readable name for a curve in error messages.</summary>
    public static string Describe(ECCurve curve) =>
        curve.IsNamed ? curve.Oid.FriendlyName ?? curve.Oid.Value ?? "an unnamed curve" : "an explicit (unnamed) curve";

    /// <summary>
    /// The RFC 7638 JWK thumbprint of a P-256 public key, base64url: SHA-256 over
    /// <c>{"crv":"P-256","kty":"EC","x":…,"y":…}</c>.
    /// </summary>
    public static string Thumbprint(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Thumbprint(key.ExportParameters(includePrivateParameters: false));
    }

    /// <inheritdoc cref="Thumbprint(ECDsa)"/>
    public static string Thumbprint(ECParameters publicKey)
    {
        if (!IsP256(publicKey.Curve))
        {
            throw new ArgumentException($"The key is on {Describe(publicKey.Curve)}; ES256 needs P-256.", nameof(publicKey));
        }

        var json = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + Base64Url.EncodeToString(publicKey.Q.X)
            + "\",\"y\":\"" + Base64Url.EncodeToString(publicKey.Q.Y) + "\"}";
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(json), digest);
        return Base64Url.EncodeToString(digest);
    }

    /// <summary>A verification-only key holding just the public point of <paramref name="parameters"/>.</summary>
    internal static ECDsa PublicCopy(ECParameters parameters)
    {
        var publicOnly = new ECParameters { Curve = parameters.Curve, Q = parameters.Q };
        return ECDsa.Create(publicOnly);
    }
}
