using System.Net;
using System.Net.Http;

namespace Gate.Client;

/// <summary>
/// A connection to a Gate sidecar's gRPC port: HTTP/2 with prior knowledge over <c>http://</c>, TLS
/// with ALPN over <c>https://</c>. Thread-safe; create one per sidecar and share it (connections are
/// pooled and reused), dispose it when done.
/// </summary>
public sealed class GateChannel : IDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Uri> _methodUris = new(StringComparer.Ordinal);

    private GateChannel(Uri address, HttpClient httpClient, GateChannelOptions options)
    {
        Address = address;
        HttpClient = httpClient;
        Options = options;
    }

    /// <summary>The sidecar's gRPC address, e.g. <c>http://127.0.0.1:7070</c>.</summary>
    public Uri Address { get; }

    internal HttpClient HttpClient { get; }

    internal GateChannelOptions Options { get; }

    /// <summary>The absolute request URI of a method path, built once per method.</summary>
    internal Uri MethodUri(string path) => _methodUris.GetOrAdd(path, static (p, address) => new Uri(address, p), Address);

    /// <summary>Creates a channel to <paramref name="address"/> (<c>http://host:port</c> or <c>https://host:port</c>).</summary>
    public static GateChannel ForAddress(string address, GateChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"'{address}' is not an absolute address; use http://host:port or https://host:port", nameof(address));
        }

        return ForAddress(uri, options);
    }

    /// <summary>Creates a channel to <paramref name="address"/> (<c>http://host:port</c> or <c>https://host:port</c>).</summary>
    public static GateChannel ForAddress(Uri address, GateChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{address}' is not a gRPC address; use http://host:port (h2c) or https://host:port (TLS)", nameof(address));
        }

        if (address.AbsolutePath != "/")
        {
            throw new ArgumentException($"'{address}' has a path; give only scheme, host and port", nameof(address));
        }

        options ??= new GateChannelOptions();
        if (options.MaxReceiveMessageBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxReceiveMessageBytes, "MaxReceiveMessageBytes must be positive");
        }

        HttpMessageHandler handler;
        var disposeHandler = options.HttpHandler is null;
        if (options.HttpHandler is not null)
        {
            handler = options.HttpHandler;
        }
        else
        {
            var sockets = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                UseProxy = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            };
            options.ConfigureHandler?.Invoke(sockets);
            handler = sockets;
        }

        var httpClient = new HttpClient(handler, disposeHandler)
        {
            BaseAddress = address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        return new GateChannel(address, httpClient, options);
    }

    /// <summary>Closes the channel's connections.</summary>
    public void Dispose() => HttpClient.Dispose();
}
