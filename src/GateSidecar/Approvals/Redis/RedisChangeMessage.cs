using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Gate.V1;

namespace GateSidecar.Approvals.Redis;

/// <summary>
/// A change as the apply script writes it: <c>seq:state:idLength:id</c> followed by the pool
/// (UTF-8; the id length counts bytes). The id is length-prefixed and the pool comes last, so
/// neither needs escaping. The change log holds it as an entry's field; the channel carries it
/// after that entry's id, the id of the writer that applied it (see <see cref="RedisOwnWrites"/>)
/// and the deadline the write indexes (0: none), each followed by a colon.
/// </summary>
internal static class RedisChangeMessage
{
    /// <summary>
    /// Parses a channel message: <c>&lt;entry id&gt;:&lt;writer id&gt;:&lt;deadline ms&gt;:&lt;change&gt;</c>
    /// (the change then carries that deadline: <see cref="ApprovalChange.DeadlineUnixMs"/>), or
    /// <c>&lt;entry id&gt;:&lt;change&gt;</c> as sidecars of earlier builds publish it (no writer:
    /// <paramref name="writer"/> is empty; no deadline). A writer id never starts with a digit; a
    /// change always does.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out ChangeLogId entry, out ReadOnlySpan<byte> writer, [NotNullWhen(true)] out ApprovalChange? change)
    {
        change = null;
        entry = default;
        writer = default;
        var colon = message.IndexOf((byte)':');
        if (colon <= 0 || !ChangeLogId.TryParse(message[..colon], out entry))
        {
            return false;
        }

        message = message[(colon + 1)..];
        if (message.Length > 0 && char.IsAsciiDigit((char)message[0]))
        {
            return TryParseChange(message, out change);
        }

        colon = message.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        writer = message[..colon];
        message = message[(colon + 1)..];
        if (!TryTakeNumber(ref message, out var deadline) || deadline < 0 || !TryParseChange(message, out change))
        {
            return false;
        }

        change = change with { DeadlineUnixMs = deadline };
        return true;
    }

    /// <summary>Parses a change (a change log entry's field).</summary>
    public static bool TryParseChange(ReadOnlySpan<byte> message, [NotNullWhen(true)] out ApprovalChange? change)
    {
        change = null;
        if (!TryTakeNumber(ref message, out var seq) || !TryTakeNumber(ref message, out var state) ||
            !TryTakeNumber(ref message, out var idLength) || idLength <= 0 || idLength > message.Length)
        {
            return false;
        }

        var id = Encoding.UTF8.GetString(message[..(int)idLength]);
        var pool = Encoding.UTF8.GetString(message[(int)idLength..]);
        change = new ApprovalChange(id, seq, (ApprovalState)(int)state, pool);
        return true;
    }

    private static bool TryTakeNumber(ref ReadOnlySpan<byte> span, out long value)
    {
        value = 0;
        var colon = span.IndexOf((byte)':');
        if (colon <= 0 || !Utf8Parser.TryParse(span[..colon], out value, out var consumed) || consumed != colon)
        {
            return false;
        }

        span = span[(colon + 1)..];
        return true;
    }
}

/// <summary>A change log (Redis stream) entry id, <c>ms-seq</c>; ids grow in commit order.</summary>
internal readonly record struct ChangeLogId(long Ms, long Seq) : IComparable<ChangeLogId>
{
    public static readonly ChangeLogId Zero = new(0, 0);

    public static bool TryParse(ReadOnlySpan<byte> text, out ChangeLogId id)
    {
        id = default;
        var dash = text.IndexOf((byte)'-');
        if (dash <= 0 ||
            !Utf8Parser.TryParse(text[..dash], out long ms, out var usedMs) || usedMs != dash ||
            !Utf8Parser.TryParse(text[(dash + 1)..], out long seq, out var usedSeq) || usedSeq != text.Length - dash - 1 ||
            ms < 0 || seq < 0)
        {
            return false;
        }

        id = new ChangeLogId(ms, seq);
        return true;
    }

    public static ChangeLogId Parse(string text) =>
        TryParse(Encoding.ASCII.GetBytes(text), out var id) ? id : throw new FormatException($"'{text}' is not a change log entry id (expected MS-SEQ).");

    /// <summary>The greatest id below this one (the exclusive start of a read that includes this one).</summary>
    public ChangeLogId Previous() => Seq > 0 ? this with { Seq = Seq - 1 } : new ChangeLogId(Ms - 1, long.MaxValue);

    public int CompareTo(ChangeLogId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

    public static bool operator <(ChangeLogId left, ChangeLogId right) => left.CompareTo(right) < 0;

    public static bool operator >(ChangeLogId left, ChangeLogId right) => left.CompareTo(right) > 0;

    public static bool operator <=(ChangeLogId left, ChangeLogId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ChangeLogId left, ChangeLogId right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Ms}-{Seq}");
}
