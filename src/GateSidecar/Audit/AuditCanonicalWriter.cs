using System.Buffers;
using System.Buffers.Text;
using Gate.Client.Evidence;
using Gate.V1;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Audit;

/// <summary>
/// Writes <see cref="AuditCanonicalForm"/>'s bytes directly, without printing proto3 JSON and
/// parsing it again: the members in JCS order (UTF-16 order of the lowerCamelCase names), default
/// values left out, as <c>JsonFormatter</c> leaves them out. It must stay in step with the proto:
/// <c>AuditCanonicalWriterTests</c> compares it with the definition on many random entries, and a
/// field it does not know makes that test fail. Inputs outside what it handles (an enum value
/// without a name, a timestamp the formatter would refuse, a patch value without a kind) return
/// false, and the caller falls back to the definition.
/// </summary>
internal static class AuditCanonicalWriter
{
    /// <summary>Every field of <c>AuditEvent</c> this writer knows; the test checks the proto has no other.</summary>
    internal static readonly string[] KnownFields =
        ["seq", "at", "approval_id", "type", "actor", "tier", "rule", "policy_version", "args_sha256", "verdict", "reason", "patch", "prev_hash", "hash"];

    private static readonly byte[][] TierNames = BuildTierNames();
    private static readonly long MinSeconds = Timestamp.FromDateTime(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc)).Seconds;
    private static readonly long MaxSeconds = Timestamp.FromDateTime(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc)).Seconds;

    /// <summary>Writes the canonical bytes of <paramref name="entry"/> (its <c>hash</c> ignored); false when it cannot.</summary>
    public static bool TryWrite(IBufferWriter<byte> output, AuditEvent entry)
    {
        if (!CanWrite(entry))
        {
            return false;
        }

        var first = true;
        Write(output, "{"u8);
        String(output, ref first, "\"actor\":"u8, entry.Actor);
        String(output, ref first, "\"approvalId\":"u8, entry.ApprovalId);
        String(output, ref first, "\"argsSha256\":"u8, entry.ArgsSha256);
        if (entry.At is { } at)
        {
            Name(output, ref first, "\"at\":"u8);
            WriteTimestamp(output, at);
        }

        if (entry.Patch.Count > 0)
        {
            Name(output, ref first, "\"patch\":"u8);
            WritePatch(output, entry);
        }

        String(output, ref first, "\"policyVersion\":"u8, entry.PolicyVersion);
        String(output, ref first, "\"prevHash\":"u8, entry.PrevHash);
        String(output, ref first, "\"reason\":"u8, entry.Reason);
        String(output, ref first, "\"rule\":"u8, entry.Rule);
        if (entry.Seq != 0)
        {
            Name(output, ref first, "\"seq\":"u8);
            Write(output, "\""u8);
            var span = output.GetSpan(20);
            Utf8Formatter.TryFormat(entry.Seq, span, out var written);
            output.Advance(written);
            Write(output, "\""u8);
        }

        if (entry.Tier != RiskTier.Unspecified)
        {
            Name(output, ref first, "\"tier\":"u8);
            Write(output, TierNames[(int)entry.Tier]);
        }

        String(output, ref first, "\"type\":"u8, entry.Type);
        String(output, ref first, "\"verdict\":"u8, entry.Verdict);
        Write(output, "}"u8);
        return true;
    }

    private static bool CanWrite(AuditEvent entry)
    {
        if ((int)entry.Tier < 0 || (int)entry.Tier >= TierNames.Length || TierNames[(int)entry.Tier].Length == 0)
        {
            return false;
        }

        if (entry.At is { } at && (at.Seconds < MinSeconds || at.Seconds > MaxSeconds || at.Nanos is < 0 or > 999_999_999))
        {
            return false;
        }

        foreach (var op in entry.Patch)
        {
            if (op.Value is { } value && !IsPlain(value, 0))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A value the printer and JCS agree on: a kind set everywhere, finite numbers, no empty member
    /// name (the printer refuses those), within the depth limit.
    /// </summary>
    private static bool IsPlain(Value value, int depth)
    {
        if (depth > Jcs.MaxDepth)
        {
            return false;
        }

        switch (value.KindCase)
        {
            case Value.KindOneofCase.None:
                return false;
            case Value.KindOneofCase.NumberValue:
                return double.IsFinite(value.NumberValue);
            case Value.KindOneofCase.StructValue:
                foreach (var field in value.StructValue.Fields)
                {
                    if (field.Key.Length == 0 || field.Value is null || !IsPlain(field.Value, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            case Value.KindOneofCase.ListValue:
                foreach (var item in value.ListValue.Values)
                {
                    if (!IsPlain(item, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }

    private static void WritePatch(IBufferWriter<byte> output, AuditEvent entry)
    {
        Write(output, "["u8);
        for (var i = 0; i < entry.Patch.Count; i++)
        {
            if (i > 0)
            {
                Write(output, ","u8);
            }

            var op = entry.Patch[i];
            var first = true;
            Write(output, "{"u8);
            String(output, ref first, "\"op\":"u8, op.Op);
            String(output, ref first, "\"path\":"u8, op.Path);
            if (op.Value is { } value)
            {
                Name(output, ref first, "\"value\":"u8);
                Jcs.WriteTo(output, value);
            }

            Write(output, "}"u8);
        }

        Write(output, "]"u8);
    }

    /// <summary>RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as the proto3 JSON printer writes it.</summary>
    private static void WriteTimestamp(IBufferWriter<byte> output, Timestamp at)
    {
        var time = DateTime.UnixEpoch.AddSeconds(at.Seconds);
        var span = output.GetSpan(32);
        span[0] = (byte)'"';
        var written = 1;
        written += Digits(span[written..], time.Year, 4);
        span[written++] = (byte)'-';
        written += Digits(span[written..], time.Month, 2);
        span[written++] = (byte)'-';
        written += Digits(span[written..], time.Day, 2);
        span[written++] = (byte)'T';
        written += Digits(span[written..], time.Hour, 2);
        span[written++] = (byte)':';
        written += Digits(span[written..], time.Minute, 2);
        span[written++] = (byte)':';
        written += Digits(span[written..], time.Second, 2);
        var nanos = at.Nanos;
        if (nanos != 0)
        {
            span[written++] = (byte)'.';
            written += nanos % 1_000_000 == 0 ? Digits(span[written..], nanos / 1_000_000, 3)
                : nanos % 1_000 == 0 ? Digits(span[written..], nanos / 1_000, 6)
                : Digits(span[written..], nanos, 9);
        }

        span[written++] = (byte)'Z';
        span[written++] = (byte)'"';
        output.Advance(written);
    }

    private static int Digits(Span<byte> span, int value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            span[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        return width;
    }

    private static void String(IBufferWriter<byte> output, ref bool first, ReadOnlySpan<byte> name, string value)
    {
        if (value.Length > 0)
        {
            Name(output, ref first, name);
            Jcs.WriteString(output, value);
        }
    }

    private static void Name(IBufferWriter<byte> output, ref bool first, ReadOnlySpan<byte> name)
    {
        if (!first)
        {
            Write(output, ","u8);
        }

        first = false;
        Write(output, name);
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static byte[][] BuildTierNames()
    {
        var tiers = TypesReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.EnumDescriptor>("RiskTier");
        var max = 0;
        foreach (var value in tiers.Values)
        {
            max = Math.Max(max, value.Number);
        }

        var names = new byte[max + 1][];
        Array.Fill(names, []);
        foreach (var value in tiers.Values)
        {
            names[value.Number] = System.Text.Encoding.UTF8.GetBytes("\"" + value.Name + "\"");
        }

        return names;
    }
}
