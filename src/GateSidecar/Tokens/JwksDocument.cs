using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GateSidecar.Tokens;

/// <summary>
/// The JSON Web Key Set served at <c>GET /.well-known/jwks.json</c>:
/// <c>{"keys":[{"kty":"EC","crv":"P-256","x","y","kid","use":"sig","alg":"ES256"}]}</c>, signing key first.
/// Built once; the bytes are served as they are.
/// </summary>
internal sealed class JwksDocument
{
    public const string ContentType = "application/jwk-set+json";

    private JwksDocument(byte[] utf8Json)
    {
        Utf8Json = utf8Json;
        Json = Encoding.UTF8.GetString(utf8Json);
    }

    public ReadOnlyMemory<byte> Utf8Json { get; }

    public string Json { get; }

    public static JwksDocument Create(IReadOnlyList<(string Kid, ECParameters PublicKey)> keys)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var (kid, key) in keys)
            {
                writer.WriteStartObject();
                writer.WriteString("kty", "EC");
                writer.WriteString("crv", "P-256");
                writer.WriteString("x", Base64Url.EncodeToString(key.Q.X));
                writer.WriteString("y", Base64Url.EncodeToString(key.Q.Y));
                writer.WriteString("kid", kid);
                writer.WriteString("use", "sig");
                writer.WriteString("alg", "ES256");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return new JwksDocument(buffer.ToArray());
    }
}
