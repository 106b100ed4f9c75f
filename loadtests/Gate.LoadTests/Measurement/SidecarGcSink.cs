using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using Google.Protobuf;

namespace Gate.LoadTests.Measurement;

/// <summary>
/// Where the sidecars the driver starts send their metrics (OTLP/HTTP, protobuf, every second, on
/// 127.0.0.1): each sidecar posts to its own path, and the sink keeps the garbage-collector readings
/// it finds (<see cref="OtlpGcDecoder"/>), so a report can give each sidecar's bytes allocated per
/// call, time paused and collections over the measured window, as it does for the driver.
/// </summary>
internal sealed class SidecarGcSink : IAsyncDisposable
{
    /// <summary>How often the sidecars export (OTEL_METRIC_EXPORT_INTERVAL).</summary>
    public static readonly TimeSpan ExportInterval = TimeSpan.FromSeconds(1);

    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, List<GcReading>> _readings = new(StringComparer.Ordinal);
    private long _rejected;

    private SidecarGcSink(HttpListener listener, int port)
    {
        _listener = listener;
        Port = port;
        _loop = Task.Run(ReceiveAsync);
    }

    public int Port { get; }

    /// <summary>Exports this sink could not read (not protobuf); none in a healthy run.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    public static SidecarGcSink Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Infrastructure.FreePort.Next();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new SidecarGcSink(listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close(); // the port was taken between picking and listening: pick another
            }
        }
    }

    /// <summary>The environment that makes a sidecar export its metrics here under <paramref name="name"/>.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentFor(string name) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = $"http://127.0.0.1:{Port}/{Uri.EscapeDataString(name)}/v1/metrics",
        ["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"] = "http/protobuf",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = ((int)ExportInterval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The names that have sent readings, in order.</summary>
    public IReadOnlyList<string> Sources => [.. _readings.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The readings received from <paramref name="name"/> whose time is within [from, to] (Unix ns), oldest first.</summary>
    public IReadOnlyList<GcReading> Readings(string name, long fromUnixNano, long toUnixNano)
    {
        if (!_readings.TryGetValue(name, out var list))
        {
            return [];
        }

        lock (list)
        {
            return [.. list.Where(r => r.TimeUnixNano >= fromUnixNano && r.TimeUnixNano <= toUnixNano).OrderBy(r => r.TimeUnixNano)];
        }
    }

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            try
            {
                Receive(context);
            }
            catch (Exception e) when (e is IOException or HttpListenerException or InvalidDataException)
            {
                Interlocked.Increment(ref _rejected);
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private void Receive(HttpListenerContext context)
    {
        var path = context.Request.Url?.AbsolutePath ?? string.Empty;
        var name = path.EndsWith("/v1/metrics", StringComparison.Ordinal) ? Uri.UnescapeDataString(path[1..^"/v1/metrics".Length]) : null;
        if (context.Request.HttpMethod != "POST" || string.IsNullOrEmpty(name))
        {
            context.Response.StatusCode = 404;
            return;
        }

        using var body = new MemoryStream();
        var input = context.Request.Headers["Content-Encoding"] == "gzip"
            ? new GZipStream(context.Request.InputStream, CompressionMode.Decompress)
            : context.Request.InputStream;
        using (input)
        {
            input.CopyTo(body);
        }

        GcReading? reading;
        try
        {
            reading = OtlpGcDecoder.Decode(body.GetBuffer().AsSpan(0, (int)body.Length));
        }
        catch (InvalidProtocolBufferException)
        {
            Interlocked.Increment(ref _rejected);
            context.Response.StatusCode = 400;
            return;
        }

        if (reading is { } r)
        {
            var list = _readings.GetOrAdd(name, _ => []);
            lock (list)
            {
                list.Add(r);
            }
        }

        // An empty ExportMetricsServiceResponse: full success.
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-protobuf";
        context.Response.ContentLength64 = 0;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(false);
    }
}
