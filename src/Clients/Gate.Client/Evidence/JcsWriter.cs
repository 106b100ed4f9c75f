using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;

namespace Gate.Client.Evidence;

/// <summary>Writes RFC 8785 canonical JSON as UTF-8 into a buffer writer.</summary>
internal static class JcsWriter
{
    // JSON.stringify escapes exactly these: the C0 controls, the quote and the backslash.
    private static readonly SearchValues<char> s_mustEscape = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\"\\");

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    public static void WriteStruct(IBufferWriter<byte> output, Struct value, int depth)
    {
        CheckDepth(depth);
        var fields = value.Fields;
        var count = fields.Count;
        if (count == 0)
        {
            Write(output, "{}"u8);
            return;
        }

        var members = ArrayPool<KeyValuePair<string, Value>>.Shared.Rent(count);
        try
        {
            var n = 0;
            foreach (var member in fields)
            {
                members[n++] = member;
            }

            Array.Sort(members, 0, n, StructMemberOrder.Instance); // UTF-16 code unit order
            WriteByte(output, (byte)'{');
            for (var i = 0; i < n; i++)
            {
                if (i > 0)
                {
                    WriteByte(output, (byte)',');
                }

                var (key, member) = members[i];
                try
                {
                    WriteString(output, key);
                    WriteByte(output, (byte)':');
                    WriteValue(output, member, depth + 1);
                }
                catch (JcsException e)
                {
                    throw e.Within(key);
                }
            }

            WriteByte(output, (byte)'}');
        }
        finally
        {
            Array.Clear(members, 0, count);
            ArrayPool<KeyValuePair<string, Value>>.Shared.Return(members);
        }
    }

    public static void WriteValue(IBufferWriter<byte> output, Value value, int depth)
    {
        switch (value.KindCase)
        {
            case Value.KindOneofCase.NullValue:
                Write(output, "null"u8);
                break;
            case Value.KindOneofCase.BoolValue:
                Write(output, value.BoolValue ? "true"u8 : "false"u8);
                break;
            case Value.KindOneofCase.NumberValue:
                WriteNumber(output, value.NumberValue);
                break;
            case Value.KindOneofCase.StringValue:
                WriteString(output, value.StringValue);
                break;
            case Value.KindOneofCase.StructValue:
                WriteStruct(output, value.StructValue, depth);
                break;
            case Value.KindOneofCase.ListValue:
                WriteList(output, value.ListValue, depth);
                break;
            default:
                throw new JcsException("a google.protobuf.Value has no kind set (neither null, bool, number, string, struct nor list)");
        }
    }

    private static void WriteList(IBufferWriter<byte> output, ListValue list, int depth)
    {
        CheckDepth(depth);
        WriteByte(output, (byte)'[');
        var values = list.Values;
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                WriteByte(output, (byte)',');
            }

            try
            {
                WriteValue(output, values[i], depth + 1);
            }
            catch (JcsException e)
            {
                throw e.Within(i);
            }
        }

        WriteByte(output, (byte)']');
    }

    public static void WriteElement(IBufferWriter<byte> output, JsonElement element, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                Write(output, "null"u8);
                break;
            case JsonValueKind.True:
                Write(output, "true"u8);
                break;
            case JsonValueKind.False:
                Write(output, "false"u8);
                break;
            case JsonValueKind.Number:
                if (!element.TryGetDouble(out var number))
                {
                    throw new JcsException($"the number {element.GetRawText()} is outside the range of an IEEE 754 double");
                }

                WriteNumber(output, number);
                break;
            case JsonValueKind.String:
                WriteString(output, ReadString(element));
                break;
            case JsonValueKind.Array:
                WriteArray(output, element, depth);
                break;
            case JsonValueKind.Object:
                JcsObjectWriter.Write(output, element, depth);
                break;
            default:
                throw new JcsException($"a JSON element of kind {element.ValueKind} is not a value");
        }
    }

    private static void WriteArray(IBufferWriter<byte> output, JsonElement array, int depth)
    {
        CheckDepth(depth);
        WriteByte(output, (byte)'[');
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (i > 0)
            {
                WriteByte(output, (byte)',');
            }

            try
            {
                WriteElement(output, item, depth + 1);
            }
            catch (JcsException e)
            {
                throw e.Within(i);
            }

            i++;
        }

        WriteByte(output, (byte)']');
    }

    internal static string ReadString(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new JcsException("a string holds an escaped lone surrogate, which is not well-formed Unicode");
        }
    }

    public static void WriteNumber(IBufferWriter<byte> output, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new JcsException($"{value} is not a JSON number");
        }

        var span = output.GetSpan(EcmaScriptNumber.MaxLength);
        output.Advance(EcmaScriptNumber.Format(value, span));
    }

    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<char> value)
    {
        WriteByte(output, (byte)'"');
        while (!value.IsEmpty)
        {
            var next = value.IndexOfAny(s_mustEscape);
            var literal = next < 0 ? value : value[..next];
            if (!literal.IsEmpty)
            {
                WriteLiteral(output, literal);
            }

            if (next < 0)
            {
                break;
            }

            WriteEscape(output, value[next]);
            value = value[(next + 1)..];
        }

        WriteByte(output, (byte)'"');
    }

    private static void WriteLiteral(IBufferWriter<byte> output, ReadOnlySpan<char> literal)
    {
        var span = output.GetSpan(literal.Length * 3);
        var status = System.Text.Unicode.Utf8.FromUtf16(literal, span, out _, out var written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            throw new JcsException("a string holds a lone surrogate, which is not well-formed Unicode");
        }

        output.Advance(written);
    }

    private static void WriteEscape(IBufferWriter<byte> output, char c)
    {
        var span = output.GetSpan(6);
        span[0] = (byte)'\\';
        var simple = c switch
        {
            '"' => (byte)'"',
            '\\' => (byte)'\\',
            '\b' => (byte)'b',
            '\f' => (byte)'f',
            '\n' => (byte)'n',
            '\r' => (byte)'r',
            '\t' => (byte)'t',
            _ => (byte)0,
        };
        if (simple != 0)
        {
            span[1] = simple;
            output.Advance(2);
            return;
        }

        span[1] = (byte)'u';
        span[2] = (byte)'0';
        span[3] = (byte)'0';
        span[4] = HexDigits[c >> 4];
        span[5] = HexDigits[c & 0xF];
        output.Advance(6);
    }

    internal static void CheckDepth(int depth)
    {
        if (depth > Jcs.MaxDepth)
        {
            throw new JcsException($"the value nests deeper than {Jcs.MaxDepth} levels");
        }
    }

    internal static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    internal static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private sealed class StructMemberOrder : IComparer<KeyValuePair<string, Value>>
    {
        public static readonly StructMemberOrder Instance = new();

        public int Compare(KeyValuePair<string, Value> x, KeyValuePair<string, Value> y) => string.CompareOrdinal(x.Key, y.Key);
    }
}
