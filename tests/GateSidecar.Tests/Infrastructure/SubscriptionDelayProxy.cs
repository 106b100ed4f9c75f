using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GateSidecar.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay to a redis-server that holds back, for a while, the first bytes of every
/// connection whose opening write subscribes (the pub/sub connection of a client), so that a
/// client's command connection is up well before its subscription connection.
/// </summary>
internal sealed class SubscriptionDelayProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly TimeSpan _delay;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public SubscriptionDelayProxy(int targetPort, TimeSpan delay)
    {
        _targetPort = targetPort;
        _delay = delay;
        _listener.Start();
        _accepting = AcceptAsync();
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
                var down = toServer.CopyToAsync(fromClient, _stop.Token);
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
            if (first && Encoding.ASCII.GetString(buffer, 0, read).Contains("SUBSCRIBE", StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref _delayed);
                await Task.Delay(_delay, _stop.Token);
            }

            first = false;
            await toServer.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }
}
