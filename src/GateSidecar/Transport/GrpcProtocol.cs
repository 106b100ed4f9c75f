using Microsoft.Extensions.Primitives;

namespace GateSidecar.Transport;

/// <summary>Wire constants of gRPC over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md).</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const int FrameHeaderSize = 5;
    public const int DefaultMaxMessageBytes = 4 * 1024 * 1024;

    public static readonly StringValues ContentTypeValue = ContentType;
    public static readonly StringValues IdentityEncoding = "identity";

    private static readonly StringValues[] StatusValues = CreateStatusValues();

    /// <summary>The cached header value of a status code, so ending a call allocates no string.</summary>
    public static StringValues StatusValue(Gate.Client.StatusCode status)
    {
        var index = (int)status;
        return (uint)index < (uint)StatusValues.Length ? StatusValues[index] : new StringValues(index.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// True for <c>application/grpc</c> and its <c>+proto</c> / parameterised forms; false for
    /// gRPC-Web and everything else.
    /// </summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (contentType.Length == ContentType.Length)
        {
            return true;
        }

        var next = contentType[ContentType.Length];
        return next == ';' || (next == '+' && !contentType.AsSpan(ContentType.Length).StartsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    private static StringValues[] CreateStatusValues()
    {
        var values = new StringValues[17];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = new StringValues(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return values;
    }
}
