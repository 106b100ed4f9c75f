using System.Text.Json;

namespace Gate.Client.Evidence;

/// <summary>Reads a Gate token payload; every claim must be present once and have the right JSON type.</summary>
internal static class TokenClaimsReader
{
    public static GateTokenClaims? TryRead(ReadOnlySpan<byte> json, string? keyId, out string error)
    {
        string? iss = null, sub = null, jti = null, tool = null, tenant = null, agent = null, rule = null, policy = null, args = null;
        long? iat = null, exp = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "the token's payload is not a JSON object";
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                var ok = name switch
                {
                    GateTokenClaims.Names.Issuer => ReadString(ref reader, ref iss),
                    GateTokenClaims.Names.Subject => ReadString(ref reader, ref sub),
                    GateTokenClaims.Names.TokenId => ReadString(ref reader, ref jti),
                    GateTokenClaims.Names.Tool => ReadString(ref reader, ref tool),
                    GateTokenClaims.Names.Tenant => ReadString(ref reader, ref tenant),
                    GateTokenClaims.Names.Agent => ReadString(ref reader, ref agent),
                    GateTokenClaims.Names.Rule => ReadString(ref reader, ref rule),
                    GateTokenClaims.Names.PolicyVersion => ReadString(ref reader, ref policy),
                    GateTokenClaims.Names.ArgsSha256 => ReadString(ref reader, ref args),
                    GateTokenClaims.Names.IssuedAt => ReadSeconds(ref reader, ref iat),
                    GateTokenClaims.Names.ExpiresAt => ReadSeconds(ref reader, ref exp),
                    _ => Skip(ref reader),
                };
                if (!ok)
                {
                    error = $"the token's claim \"{name}\" appears twice or has the wrong JSON type";
                    return null;
                }
            }
        }
        catch (JsonException)
        {
            error = "the token's payload is not valid JSON";
            return null;
        }

        var missing = iss is null ? "iss" : sub is null ? "sub" : jti is null ? "jti" : iat is null ? "iat"
            : exp is null ? "exp" : tool is null ? "tool" : tenant is null ? "tenant" : agent is null ? "agent"
            : rule is null ? "rule" : policy is null ? "policy_version" : args is null ? "args_sha256" : null;
        if (missing is not null)
        {
            error = $"the token has no \"{missing}\" claim, so it was not issued by Gate";
            return null;
        }

        if (iat < -62135596800 || exp > 253402300799 || iat > 253402300799 || exp < -62135596800)
        {
            error = "the token's iat or exp is outside the representable range of dates";
            return null;
        }

        error = string.Empty;
        return new GateTokenClaims
        {
            Issuer = iss!,
            ApprovalId = sub!,
            TokenId = jti!,
            IssuedAt = DateTimeOffset.FromUnixTimeSeconds(iat!.Value),
            ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(exp!.Value),
            Tool = tool!,
            Tenant = tenant!,
            Agent = agent!,
            Rule = rule!,
            PolicyVersion = policy!,
            ArgsSha256 = args!,
            KeyId = keyId,
        };
    }

    private static bool ReadString(ref Utf8JsonReader reader, ref string? slot)
    {
        if (slot is not null || reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        slot = reader.GetString();
        return true;
    }

    private static bool ReadSeconds(ref Utf8JsonReader reader, ref long? slot)
    {
        if (slot is not null || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var seconds))
        {
            return false;
        }

        slot = seconds;
        return true;
    }

    private static bool Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return true;
    }
}
