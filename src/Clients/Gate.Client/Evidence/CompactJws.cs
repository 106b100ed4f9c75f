using System.Buffers.Text;
using System.Text.Json;

namespace Gate.Client.Evidence;

/// <summary>The protected header fields Gate's tokens use.</summary>
internal readonly record struct JwsHeader(string? Algorithm, string? KeyId, string? Type, bool HasCritical);

/// <summary>Splits and decodes a compact JWS (RFC 7515 §7.1) strictly: three base64url parts, no padding.</summary>
internal static class CompactJws
{
    public static bool TrySplit(string token, out int firstDot, out int secondDot, out string error)
    {
        firstDot = token.IndexOf('.', StringComparison.Ordinal);
        secondDot = firstDot < 0 ? -1 : token.IndexOf('.', firstDot + 1);
        if (firstDot <= 0 || secondDot <= firstDot + 1 || token.IndexOf('.', secondDot + 1) >= 0)
        {
            error = "the token is not a compact JWS (three base64url parts separated by dots)";
            return false;
        }

        error = string.Empty;
        return true;
    }

    /// <summary>Decodes one part; refuses padding, whitespace and non-canonical trailing bits.</summary>
    public static bool TryDecode(ReadOnlySpan<char> part, out byte[] bytes)
    {
        bytes = [];
        if (part.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in part)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        try
        {
            bytes = Base64Url.DecodeFromChars(part);
        }
        catch (FormatException)
        {
            return false;
        }

        // Two encodings of one signature would let one token be reported twice under two spellings.
        return Base64Url.GetEncodedLength(bytes.Length) == part.Length && Base64Url.EncodeToString(bytes).AsSpan().SequenceEqual(part);
    }

    public static bool TryReadHeader(ReadOnlySpan<byte> json, out JwsHeader header, out string error)
    {
        header = default;
        string? alg = null, kid = null, typ = null;
        var crit = false;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "the token's header is not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "alg" when alg is null && reader.TokenType == JsonTokenType.String:
                        alg = reader.GetString();
                        break;
                    case "kid" when kid is null && reader.TokenType == JsonTokenType.String:
                        kid = reader.GetString();
                        break;
                    case "typ" when typ is null && reader.TokenType == JsonTokenType.String:
                        typ = reader.GetString();
                        break;
                    case "crit":
                        crit = true;
                        reader.Skip();
                        break;
                    case "alg" or "kid" or "typ":
                        error = $"the token's header has a duplicate or non-string \"{name}\"";
                        return false;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            error = "the token's header is not valid JSON";
            return false;
        }

        header = new JwsHeader(alg, kid, typ, crit);
        error = string.Empty;
        return true;
    }
}
