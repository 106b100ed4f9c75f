using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace Gate.Client.Evidence;

/// <summary>Reads the EC P-256 signature keys of a JSON Web Key Set (RFC 7517 §5); other keys are ignored.</summary>
internal static class JwksReader
{
    public static List<KeyValuePair<string, ECDsa>> Read(string jwksJson)
    {
        ArgumentNullException.ThrowIfNull(jwksJson);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(jwksJson);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The JWKS is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var keys)
                || keys.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The JWKS must be a JSON object with a \"keys\" array, as served at /.well-known/jwks.json.");
            }

            var result = new List<KeyValuePair<string, ECDsa>>();
            var index = 0;
            foreach (var jwk in keys.EnumerateArray())
            {
                if (TryRead(jwk, index++) is not { } key)
                {
                    continue;
                }

                if (result.Exists(k => k.Key == key.Key))
                {
                    key.Value.Dispose();
                    throw new FormatException($"JWKS key #{index - 1}: kid \"{key.Key}\" is used by two keys.");
                }

                result.Add(key);
            }

            if (result.Count == 0)
            {
                throw new FormatException("The JWKS holds no EC P-256 signature key (kty \"EC\", crv \"P-256\"), so no Gate token can be verified with it.");
            }

            return result;
        }
    }

    private static KeyValuePair<string, ECDsa>? TryRead(JsonElement jwk, int index)
    {
        if (jwk.ValueKind != JsonValueKind.Object
            || Text(jwk, "kty") != "EC"
            || Text(jwk, "crv") != "P-256"
            || Text(jwk, "use") is not (null or "sig")
            || Text(jwk, "alg") is not (null or "ES256"))
        {
            return null;
        }

        var x = Coordinate(jwk, "x", index);
        var y = Coordinate(jwk, "y", index);
        var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } };
        ECDsa key;
        try
        {
            key = ECDsa.Create(parameters);
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"JWKS key #{index}: x and y are not a point on P-256 ({e.Message}).", e);
        }

        var kid = Text(jwk, "kid") ?? EcKeys.Thumbprint(parameters);
        return new KeyValuePair<string, ECDsa>(kid, key);
    }

    private static byte[] Coordinate(JsonElement jwk, string name, int index)
    {
        var text = Text(jwk, name);
        if (text is null || !CompactJws.TryDecode(text, out var bytes) || bytes.Length != 32)
        {
            throw new FormatException($"JWKS key #{index}: \"{name}\" must be the 32-byte P-256 coordinate in base64url.");
        }

        return bytes;
    }

    private static string? Text(JsonElement jwk, string name) =>
        jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
