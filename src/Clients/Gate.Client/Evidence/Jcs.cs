using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;

namespace Gate.Client.Evidence;

/// <summary>
/// The JSON Canonicalization Scheme (RFC 8785): one byte sequence for every JSON value, so that a
/// hash over it is the same in every language. Object members are sorted by their keys' UTF-16 code
/// units, there is no whitespace, strings are escaped as ECMAScript <c>JSON.stringify</c> escapes
/// them, and numbers are IEEE 754 doubles written as ECMAScript <c>Number.prototype.toString</c>.
/// </summary>
/// <remarks>Values with no canonical form (NaN, infinities, lone surrogates, duplicate keys) throw <see cref="JcsException"/>.</remarks>
public static class Jcs
{
    /// <summary>The deepest nesting of objects and arrays accepted.</summary>
    public const int MaxDepth = 128;

    /// <summary>Canonical UTF-8 bytes of a protobuf <c>Struct</c> (a JSON object).</summary>
    public static byte[] Canonicalize(Struct value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var buffer = new PooledBufferWriter();
        JcsWriter.WriteStruct(buffer, value, 0);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Canonical UTF-8 bytes of a protobuf <c>Value</c>.</summary>
    public static byte[] Canonicalize(Value value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var buffer = new PooledBufferWriter();
        JcsWriter.WriteValue(buffer, value, 0);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Canonical UTF-8 bytes of a parsed JSON value.</summary>
    public static byte[] Canonicalize(JsonElement value)
    {
        using var buffer = new PooledBufferWriter();
        JcsWriter.WriteElement(buffer, value, 0);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Canonical UTF-8 bytes of JSON text (parsed first; comments and trailing commas are refused).</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        using var document = Parse(utf8Json);
        return Canonicalize(document.RootElement);
    }

    /// <summary>Canonical JSON of a protobuf <c>Struct</c>, as a string.</summary>
    public static string CanonicalizeToString(Struct value) => Encoding.UTF8.GetString(Canonicalize(value));

    /// <summary>Canonical JSON of a protobuf <c>Value</c>, as a string.</summary>
    public static string CanonicalizeToString(Value value) => Encoding.UTF8.GetString(Canonicalize(value));

    /// <summary>Canonical JSON of a parsed JSON value, as a string.</summary>
    public static string CanonicalizeToString(JsonElement value) => Encoding.UTF8.GetString(Canonicalize(value));

    /// <summary>Canonical JSON of JSON text, as a string.</summary>
    public static string CanonicalizeToString(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Encoding.UTF8.GetString(Canonicalize(Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>Writes the canonical bytes of <paramref name="value"/> to <paramref name="destination"/>.</summary>
    public static void WriteTo(IBufferWriter<byte> destination, Struct value)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(value);
        JcsWriter.WriteStruct(destination, value, 0);
    }

    /// <summary>Writes the canonical bytes of <paramref name="value"/> to <paramref name="destination"/>.</summary>
    public static void WriteTo(IBufferWriter<byte> destination, Value value)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(value);
        JcsWriter.WriteValue(destination, value, 0);
    }

    /// <summary>Writes the canonical bytes of <paramref name="value"/> to <paramref name="destination"/>.</summary>
    public static void WriteTo(IBufferWriter<byte> destination, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(destination);
        JcsWriter.WriteElement(destination, value, 0);
    }

    /// <summary>
    /// Writes <paramref name="value"/> as a canonical JSON string: quoted, with only <c>"</c>, <c>\</c>
    /// and the C0 controls escaped, as ECMAScript <c>JSON.stringify</c> does.
    /// </summary>
    /// <exception cref="JcsException">The text holds a lone surrogate.</exception>
    public static void WriteString(IBufferWriter<byte> destination, ReadOnlySpan<char> value)
    {
        ArgumentNullException.ThrowIfNull(destination);
        JcsWriter.WriteString(destination, value);
    }

    private static JsonDocument Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth + 1 });
        }
        catch (JsonException e)
        {
            throw new JcsException($"the text is not JSON ({e.Message})");
        }
    }
}
