using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using Gate.Client.Evidence;
using Gate.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Audit;

/// <summary>
/// The bytes an audit entry's hash covers: RFC 8785 (JCS) canonical JSON of the entry's proto3 JSON
/// mapping (default <see cref="JsonFormatter"/>: lowerCamelCase names, default values omitted,
/// int64 as strings, enums by name, timestamps in RFC 3339) without its <c>hash</c> field. Any
/// language with a proto3 JSON printer and a JCS implementation recomputes it (docs/evidence.md).
/// </summary>
/// <remarks>
/// Entries are sealed inside the store's write batch, one after another (each hash covers the
/// previous one), so this runs on the writer's critical path for every call. An entry without a
/// patch is therefore written directly in canonical form: its members in JCS order (UTF-16 order of
/// the JSON names), strings escaped by <see cref="Jcs.WriteStringTo"/>, the timestamp printed as
/// the proto3 printer prints it. An entry with a patch (an edit, rare) goes through the generic
/// printer and JCS, so a <c>google.protobuf.Value</c> is formatted exactly as before. A test keeps
/// both paths byte-identical over a corpus of entries.
/// </remarks>
internal static class AuditCanonicalForm
{
    private const long MinTimestampSeconds = -62135596800;
    private const long MaxTimestampSeconds = 253402300799;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private static readonly Dictionary<int, string> TierNames = TypesReflection.Descriptor.EnumTypes
        .Single(e => e.Name == nameof(RiskTier)).Values
        .ToDictionary(v => v.Number, v => v.Name);

    public static byte[] ToBytes(AuditEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Patch.Count > 0)
        {
            return ToBytesGeneric(entry);
        }

        var buffer = Scratch();
        Write(buffer, entry);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the canonical bytes to a per-thread buffer and returns them (valid until the next call on this thread).</summary>
    internal static ReadOnlySpan<byte> ToScratch(AuditEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Patch.Count > 0)
        {
            return ToBytesGeneric(entry);
        }

        var buffer = Scratch();
        Write(buffer, entry);
        return buffer.WrittenSpan;
    }

    /// <summary>The reference path: the proto3 JSON printer, then JCS.</summary>
    internal static byte[] ToBytesGeneric(AuditEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var withoutHash = entry;
        if (entry.Hash.Length > 0)
        {
            withoutHash = entry.Clone();
            withoutHash.Hash = string.Empty; // the default value, so the printer omits the field
        }

        return Jcs.Canonicalize(System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(withoutHash)));
    }

    private static ArrayBufferWriter<byte> Scratch()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        return buffer;
    }

    private static void Write(ArrayBufferWriter<byte> output, AuditEvent e)
    {
        // Members in JCS order: actor, approvalId, argsSha256, at, [hash], [patch], policyVersion,
        // prevHash, reason, rule, seq, tier, type, verdict. Default values are omitted.
        var first = true;
        Raw(output, "{"u8);
        String(output, ref first, "\"actor\":"u8, e.Actor);
        String(output, ref first, "\"approvalId\":"u8, e.ApprovalId);
        String(output, ref first, "\"argsSha256\":"u8, e.ArgsSha256);
        if (e.At is { } at)
        {
            Name(output, ref first, "\"at\":"u8);
            Timestamp(output, at);
        }

        String(output, ref first, "\"policyVersion\":"u8, e.PolicyVersion);
        String(output, ref first, "\"prevHash\":"u8, e.PrevHash);
        String(output, ref first, "\"reason\":"u8, e.Reason);
        String(output, ref first, "\"rule\":"u8, e.Rule);
        if (e.Seq != 0)
        {
            Name(output, ref first, "\"seq\":"u8);
            var span = output.GetSpan(22);
            span[0] = (byte)'"';
            Utf8Formatter.TryFormat(e.Seq, span[1..], out var written);
            span[written + 1] = (byte)'"';
            output.Advance(written + 2);
        }

        if (e.Tier != RiskTier.Unspecified)
        {
            Name(output, ref first, "\"tier\":"u8);
            if (TierNames.TryGetValue((int)e.Tier, out var tier))
            {
                Jcs.WriteStringTo(output, tier);
            }
            else
            {
                // The printer writes an enum value without a name as its number.
                var span = output.GetSpan(11);
                Utf8Formatter.TryFormat((int)e.Tier, span, out var written);
                output.Advance(written);
            }
        }

        String(output, ref first, "\"type\":"u8, e.Type);
        String(output, ref first, "\"verdict\":"u8, e.Verdict);
        Raw(output, "}"u8);
    }

    private static void String(ArrayBufferWriter<byte> output, ref bool first, ReadOnlySpan<byte> name, string value)
    {
        if (value.Length == 0)
        {
            return;
        }

        Name(output, ref first, name);
        Jcs.WriteStringTo(output, value);
    }

    private static void Name(ArrayBufferWriter<byte> output, ref bool first, ReadOnlySpan<byte> name)
    {
        if (!first)
        {
            Raw(output, ","u8);
        }

        first = false;
        Raw(output, name);
    }

    /// <summary>As the proto3 printer writes a Timestamp: RFC 3339 UTC, 0, 3, 6 or 9 fraction digits.</summary>
    private static void Timestamp(ArrayBufferWriter<byte> output, Timestamp at)
    {
        if (at.Seconds < MinTimestampSeconds || at.Seconds > MaxTimestampSeconds || at.Nanos < 0 || at.Nanos > 999_999_999)
        {
            throw new InvalidOperationException("Non-normalized timestamp value");
        }

        var time = DateTime.UnixEpoch.AddSeconds(at.Seconds);
        var span = output.GetSpan(32);
        span[0] = (byte)'"';
        time.TryFormat(span[1..], out var written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture);
        var position = 1 + written;
        var nanos = at.Nanos;
        if (nanos != 0)
        {
            span[position++] = (byte)'.';
            var (value, digits) = nanos % 1_000_000 == 0 ? (nanos / 1_000_000, 3) : nanos % 1000 == 0 ? (nanos / 1000, 6) : (nanos, 9);
            for (var i = digits - 1; i >= 0; i--)
            {
                span[position + i] = (byte)('0' + (value % 10));
                value /= 10;
            }

            position += digits;
        }

        span[position++] = (byte)'Z';
        span[position++] = (byte)'"';
        output.Advance(position);
    }

    private static void Raw(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);
}
