using System.Text;

namespace GateSidecar.Transport;

/// <summary>
/// Percent-encodes <c>grpc-message</c>: UTF-8 bytes outside 0x20–0x7E and '%' become %XX. A raw
/// non-ASCII character in a header would make Kestrel fail the response and the client see UNKNOWN.
/// </summary>
internal static class GrpcMessageEncoding
{
    private const string Hex = "0123456789ABCDEF";

    public static string Encode(string message)
    {
        var needsEncoding = false;
        foreach (var c in message)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                needsEncoding = true;
                break;
            }
        }

        if (!needsEncoding)
        {
            return message;
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b < 0x20 || b > 0x7E || b == '%')
            {
                builder.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
            }
            else
            {
                builder.Append((char)b);
            }
        }

        return builder.ToString();
    }
}
