using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;

namespace Gate.Client.Evidence;

/// <summary>
/// The <c>args_sha256</c> a token is bound to: lowercase hex SHA-256 of the RFC 8785 canonical
/// JSON of the arguments. Absent arguments hash as the empty object <c>{}</c>.
/// </summary>
public static class ArgsHash
{
    /// <summary>The hash of absent or empty arguments (SHA-256 of <c>{}</c>).</summary>
    public const string Empty = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    /// <summary>Hashes protobuf arguments; <see langword="null"/> counts as <c>{}</c>.</summary>
    /// <exception cref="JcsException">The arguments hold a value with no canonical form (e.g. NaN).</exception>
    public static string Compute(Struct? arguments)
    {
        if (arguments is null || arguments.Fields.Count == 0)
        {
            return Empty;
        }

        using var buffer = new PooledBufferWriter(1024);
        JcsWriter.WriteStruct(buffer, arguments, 0);
        return Digest(buffer.WrittenSpan);
    }

    /// <summary>Hashes JSON arguments (for callers that hold JSON rather than a <c>Struct</c>).</summary>
    /// <exception cref="JcsException">The arguments hold a value with no canonical form.</exception>
    public static string Compute(JsonElement arguments)
    {
        if (arguments.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return Empty;
        }

        using var buffer = new PooledBufferWriter(1024);
        JcsWriter.WriteElement(buffer, arguments, 0);
        return Digest(buffer.WrittenSpan);
    }

    private static string Digest(ReadOnlySpan<byte> canonical)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(canonical, digest);
        return Convert.ToHexStringLower(digest);
    }
}
