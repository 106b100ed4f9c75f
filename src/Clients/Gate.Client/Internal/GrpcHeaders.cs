using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;

namespace Gate.Client.Internal;

/// <summary>Reading and writing the gRPC headers and trailers on the client side.</summary>
internal static class GrpcHeaders
{
    public const string ContentType = "application/grpc";

    /// <summary>Encodes a timeout as <c>grpc-timeout</c>: at most 8 digits, rounded up, in the finest unit that fits.</summary>
    public static string EncodeTimeout(TimeSpan timeout)
    {
        var ticks = Math.Max(timeout.Ticks, 1);
        var micros = (ticks + 9) / 10;
        if (micros < 100_000_000)
        {
            return micros.ToString(CultureInfo.InvariantCulture) + "u";
        }

        var millis = (micros + 999) / 1000;
        if (millis < 100_000_000)
        {
            return millis.ToString(CultureInfo.InvariantCulture) + "m";
        }

        var seconds = (millis + 999) / 1000;
        if (seconds < 100_000_000)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + "S";
        }

        return Math.Min((seconds + 3599) / 3600, 99_999_999).ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary>Decodes a percent-encoded <c>grpc-message</c> (UTF-8); malformed escapes are kept as they are.</summary>
    public static string DecodeMessage(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length
                && byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
                continue;
            }

            // Header values arrive as Latin-1: a raw byte of a sender that did not encode is kept as that byte.
            if (c <= 0xFF)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>The status in <paramref name="headers"/> (trailers, or headers of a Trailers-Only response); null when absent.</summary>
    public static RpcStatus? ReadStatus(HttpHeaders headers)
    {
        if (!headers.TryGetValues("grpc-status", out var statuses))
        {
            return null;
        }

        var raw = statuses.FirstOrDefault() ?? string.Empty;
        var code = int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? (StatusCode)value : StatusCode.Unknown;
        var message = headers.TryGetValues("grpc-message", out var messages) ? DecodeMessage(messages.FirstOrDefault() ?? string.Empty) : string.Empty;
        if (code == StatusCode.Unknown && value != (int)StatusCode.Unknown)
        {
            message = $"the server sent an unreadable grpc-status '{raw}'" + (message.Length > 0 ? ": " + message : string.Empty);
        }

        return new RpcStatus(code, message);
    }

    /// <summary>The status for an HTTP response that is not a gRPC answer (grpc/grpc doc/http-grpc-status-mapping.md).</summary>
    public static StatusCode FromHttpStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>The status for an HTTP/2 stream reset, by RST_STREAM error code (RFC 9113 §7).</summary>
    public static StatusCode FromHttp2Error(long errorCode) => errorCode switch
    {
        0x7 => StatusCode.Unavailable,        // REFUSED_STREAM
        0x8 => StatusCode.Cancelled,          // CANCEL
        0xb => StatusCode.ResourceExhausted,  // ENHANCE_YOUR_CALM
        0xc => StatusCode.PermissionDenied,   // INADEQUATE_SECURITY
        0xd => StatusCode.Unavailable,        // HTTP_1_1_REQUIRED
        _ => StatusCode.Internal,
    };

    public static void EnsureSendable(IMessage message, int? maxMessageBytes)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (maxMessageBytes is { } max && message.CalculateSize() > max)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"the request message is {message.CalculateSize()} bytes, over this client's limit of {max} (GateChannelOptions.MaxSendMessageBytes)");
        }
    }
}

/// <summary>A status read from the wire.</summary>
internal readonly record struct RpcStatus(StatusCode Code, string Message);
