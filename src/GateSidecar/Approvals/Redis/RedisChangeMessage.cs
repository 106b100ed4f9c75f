using System.Buffers.Text;
using System.Text;
using Gate.V1;

namespace GateSidecar.Approvals.Redis;

/// <summary>
/// The pub/sub payload the apply script publishes: <c>seq:state:idLength:id</c> followed by the
/// pool (UTF-8; the id length counts bytes). The id is length-prefixed and the pool comes last, so
/// neither needs escaping.
/// </summary>
internal static class RedisChangeMessage
{
    public static bool TryParse(ReadOnlySpan<byte> message, out ApprovalChange change)
    {
        change = default;
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
