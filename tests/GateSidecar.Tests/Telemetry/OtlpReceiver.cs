using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using Gate.Testing.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Tests.Telemetry;

/// <summary>
/// A local OTLP collector for tests: real Kestrel on 127.0.0.1, port 0. One HTTP/1.1 port takes
/// OTLP/HTTP (<c>POST /v1/traces</c>, <c>POST /v1/metrics</c>, protobuf bodies, gzip or not); one
/// HTTP/2 port takes OTLP/gRPC (<c>TraceService/Export</c>, <c>MetricsService/Export</c>). Every
/// body is kept as received (decompressed) and decoded.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private const string GrpcTracePath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private const string GrpcMetricsPath = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<byte[]> _bodies = [];
    private readonly List<ExportTraceServiceRequest> _traces = [];
    private readonly List<ExportMetricsServiceRequest> _metrics = [];
    private readonly List<string> _requests = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OtlpReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Base URL of the OTLP/HTTP port (the exporter appends /v1/traces and /v1/metrics).</summary>
    public Uri HttpEndpoint { get; private set; } = null!;

    /// <summary>URL of the OTLP/gRPC port (h2c).</summary>
    public Uri GrpcEndpoint { get; private set; } = null!;

    /// <summary>"&lt;protocol&gt; &lt;path&gt;" of every export received, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? http = null;
        ListenOptions? grpc = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                http = listen;
            });
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                grpc = listen;
            });
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Kestrel writes the bound port back into the listen options.
        receiver.HttpEndpoint = new Uri($"http://127.0.0.1:{http!.IPEndPoint!.Port}");
        receiver.GrpcEndpoint = new Uri($"http://127.0.0.1:{grpc!.IPEndPoint!.Port}");
        return receiver;
    }

    /// <summary>Every body received so far, decompressed: what left the sidecar, byte for byte.</summary>
    public IReadOnlyList<byte[]> Bodies()
    {
        lock (_lock)
        {
            return [.. _bodies];
        }
    }

    public IReadOnlyList<ExportedSpan> Spans()
    {
        lock (_lock)
        {
            return [.. ExportedSpan.From(_traces)];
        }
    }

    public MetricsSnapshot Metrics()
    {
        lock (_lock)
        {
            return MetricsSnapshot.From(_metrics);
        }
    }

    /// <summary>Waits until <paramref name="done"/> holds for the spans received, or fails after <paramref name="timeout"/>.</summary>
    public Task<IReadOnlyList<ExportedSpan>> WaitForSpansAsync(Func<IReadOnlyList<ExportedSpan>, bool> done, TimeSpan timeout, string what) =>
        WaitAsync(Spans, done, timeout, what, spans => string.Join(", ", spans.Select(s => s.Span.Name)));

    public Task<MetricsSnapshot> WaitForMetricsAsync(Func<MetricsSnapshot, bool> done, TimeSpan timeout, string what) =>
        WaitAsync(Metrics, done, timeout, what, m => m.Describe());

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }

    private async Task<T> WaitAsync<T>(Func<T> read, Func<T, bool> done, TimeSpan timeout, string what, Func<T, string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task arrived;
            lock (_lock)
            {
                arrived = _arrived.Task;
            }

            var value = read();
            if (done(value))
            {
                return value;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{what}: not received within {timeout}; received so far: {describe(value)}");
            }

            await Task.WhenAny(arrived, Task.Delay(left));
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? string.Empty;
        var grpc = path is GrpcTracePath or GrpcMetricsPath;
        var isTraces = path is "/v1/traces" or GrpcTracePath;
        if (!HttpMethods.IsPost(http.Request.Method) || (!isTraces && path is not ("/v1/metrics" or GrpcMetricsPath)))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var body = grpc ? Unframe(buffer.ToArray(), http.Request.Headers["grpc-encoding"].ToString()) : buffer.ToArray();
        if (!grpc && http.Request.Headers.ContentEncoding.ToString() == "gzip")
        {
            body = Gunzip(body);
        }

        lock (_lock)
        {
            _bodies.Add(body);
            _requests.Add($"{(grpc ? "grpc" : "http")} {path}");
            if (isTraces)
            {
                _traces.Add(ExportTraceServiceRequest.Parser.ParseFrom(body));
            }
            else
            {
                _metrics.Add(ExportMetricsServiceRequest.Parser.ParseFrom(body));
            }

            var arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            arrived.SetResult();
        }

        // An empty Export*ServiceResponse: everything accepted.
        if (grpc)
        {
            http.Response.ContentType = "application/grpc";
            http.Response.AppendTrailer("grpc-status", "0");
            await http.Response.Body.WriteAsync(new byte[5]);
        }
        else
        {
            http.Response.ContentType = "application/x-protobuf";
            http.Response.ContentLength = 0;
        }
    }

    private static byte[] Unframe(byte[] framed, string encoding)
    {
        using var message = new MemoryStream();
        for (var offset = 0; offset + 5 <= framed.Length;)
        {
            var compressed = framed[offset] == 1;
            var length = BinaryPrimitives.ReadInt32BigEndian(framed.AsSpan(offset + 1, 4));
            var payload = framed.AsSpan(offset + 5, length).ToArray();
            message.Write(compressed && encoding == "gzip" ? Gunzip(payload) : payload);
            offset += 5 + length;
        }

        return message.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
