using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace GateSidecar.Tests.Infrastructure;

/// <summary>What came back for a hand-built gRPC request, headers and trailers kept apart.</summary>
internal sealed record RawGrpcResponse(
    HttpStatusCode HttpStatus,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    IReadOnlyDictionary<string, string> Trailers)
{
    /// <summary>True when the status came in the headers of a body-less response.</summary>
    public bool IsTrailersOnly => Headers.ContainsKey("grpc-status") && Body.Length == 0;

    public int? GrpcStatus
    {
        get
        {
            var source = Trailers.TryGetValue("grpc-status", out var value) ? value : Headers.GetValueOrDefault("grpc-status");
            return source is null ? null : int.Parse(source, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The raw (still percent-encoded) grpc-message.</summary>
    public string? GrpcMessage => Trailers.GetValueOrDefault("grpc-message") ?? Headers.GetValueOrDefault("grpc-message");
}

/// <summary>
/// Sends hand-built bytes to a gRPC method over HTTP/2 (prior knowledge), to check how the server
/// handles what a well-behaved client never sends.
/// </summary>
internal sealed class RawGrpc : IDisposable
{
    private readonly HttpClient _client;

    public RawGrpc()
    {
        // One connection, so that calls made one after the other share it.
        _client = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = false, UseProxy = false })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TestTimeouts.Default,
        };
    }

    public static byte[] Frame(IMessage message, byte flag = 0)
    {
        var payload = message.ToByteArray();
        return Frame(payload, flag);
    }

    public static byte[] Frame(byte[] payload, byte flag = 0)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    public async Task<RawGrpcResponse> SendAsync(Uri address, string path, byte[] body, string contentType = "application/grpc", params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path))
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _client.SendAsync(request).WaitAsync(TestTimeouts.Default);
        var bytes = await response.Content.ReadAsByteArrayAsync().WaitAsync(TestTimeouts.Default);
        return new RawGrpcResponse(response.StatusCode, Flatten(response.Headers, response.Content.Headers), bytes, Flatten(response.TrailingHeaders));
    }

    public void Dispose() => _client.Dispose();

    private static Dictionary<string, string> Flatten(params HttpHeaders[] sources)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var headers in sources)
        {
            foreach (var (name, values) in headers)
            {
                result[name] = string.Join(",", values);
            }
        }

        return result;
    }
}
