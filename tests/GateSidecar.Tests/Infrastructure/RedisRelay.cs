using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GateSidecar.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay to a redis-server that can misbehave in two ways: hold back, for a while,
/// the first bytes of every connection whose opening write subscribes (the pub/sub connection of a
/// client), so that a client's command connection is up well before its subscription connection;
/// and report another major version in the server's <c>INFO</c> replies.
/// </summary>
internal sealed class RedisRelay : IAsyncDisposable
{
    private static readonly byte[] VersionField = Encoding.ASCII.GetBytes("redis_version:");

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly TimeSpan _holdSubscriptions;
    private volatile int _reportedMajor = -1; // -1: the server's own
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <param name="targetPort">The redis-server's port on 127.0.0.1.</param>
    /// <param name="holdSubscriptions">How long to hold back a connection that opens by subscribing.</param>
    /// <param name="reportMajorVersion">A single digit that replaces the major version in <c>redis_version:</c>.</param>
    public RedisRelay(int targetPort, TimeSpan holdSubscriptions = default, int? reportMajorVersion = null)
    {
        _targetPort = targetPort;
        _holdSubscriptions = holdSubscriptions;
        ReportMajorVersion = reportMajorVersion;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The single digit reported as the major version in replies from now on; null relays the server's own.</summary>
    public int? ReportMajorVersion
    {
        get => _reportedMajor < 0 ? null : _reportedMajor;
        set => _reportedMajor = value switch
        {
            null => -1,
            >= 0 and <= 9 => value.Value,
            _ => throw new ArgumentOutOfRangeException(nameof(value), "one digit: the reply keeps its length"),
        };
    }

    public string Endpoint => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections had their opening write held back.</summary>
    public int Delayed => Volatile.Read(ref _delayed);

    private int _delayed;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var relays = new List<Task>();
        try
        {
            while (true)
            {
                relays.Add(RelayAsync(await _listener.AcceptTcpClientAsync(_stop.Token)));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        await Task.WhenAll(relays);
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                var fromClient = client.GetStream();
                var toServer = server.GetStream();
                var up = ForwardUpAsync(fromClient, toServer);
                var down = ForwardDownAsync(toServer, fromClient);
                await Task.WhenAny(up, down);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // The client, the server or the proxy closed.
            }
        }
    }

    private async Task ForwardUpAsync(Stream fromClient, Stream toServer)
    {
        var buffer = new byte[64 * 1024];
        var first = true;
        int read;
        while ((read = await fromClient.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (first && _holdSubscriptions > TimeSpan.Zero && Encoding.ASCII.GetString(buffer, 0, read).Contains("SUBSCRIBE", StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref _delayed);
                await Task.Delay(_holdSubscriptions, _stop.Token);
            }

            first = false;
            await toServer.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    /// <summary>Relays the server's replies, replacing the digit after each <c>redis_version:</c> when asked (also across reads).</summary>
    private async Task ForwardDownAsync(Stream fromServer, Stream toClient)
    {
        var buffer = new byte[64 * 1024];
        var matched = 0;
        int read;
        while ((read = await fromServer.ReadAsync(buffer, _stop.Token)) > 0)
        {
            var major = _reportedMajor;
            for (var i = 0; major >= 0 && i < read; i++)
            {
                if (matched == VersionField.Length)
                {
                    buffer[i] = (byte)('0' + major);
                    matched = 0;
                }
                else
                {
                    matched = buffer[i] == VersionField[matched] ? matched + 1 : buffer[i] == VersionField[0] ? 1 : 0;
                }
            }

            await toClient.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }
}
