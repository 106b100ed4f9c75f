using System.Net.Sockets;
using System.Text;

namespace Gate.LoadTests.Infrastructure;

/// <summary>
/// A throw-away redis-server on a free loopback port, data in its own directory, AOF on
/// (<c>appendfsync</c> as asked: <c>everysec</c>, or <c>always</c> as in production).
/// </summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private readonly ChildProcess _child;

    private RedisProcess(ChildProcess child, int port)
    {
        _child = child;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _child.Id;

    /// <summary>HOST:PORT, as the sidecar's --redis flag takes it.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync(string redisServer, string directory, string appendFsync, string? aofRewriteMinSize, TimeSpan timeout)
    {
        Directory.CreateDirectory(directory);
        var port = FreePort.Next();
        string[] arguments =
        [
            "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--appendonly", "yes", "--appendfsync", appendFsync, "--save", "",
            "--dir", directory, "--daemonize", "no", "--protected-mode", "yes",
        ];
        if (aofRewriteMinSize is not null)
        {
            arguments = [.. arguments, "--auto-aof-rewrite-min-size", aofRewriteMinSize];
        }

        var child = ChildProcess.Start(redisServer, arguments, Path.Combine(directory, "redis.log"));

        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (child.HasExited)
            {
                break;
            }

            if (await PingAsync(port).ConfigureAwait(false))
            {
                return new RedisProcess(child, port);
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        var tail = child.Tail();
        await child.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"redis-server did not answer PING on 127.0.0.1:{port} within {timeout.TotalSeconds:0} s (is it installed? apt-get install redis-server):\n{tail}");
    }

    public ValueTask DisposeAsync() => _child.DisposeAsync();

    private static async Task<bool> PingAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}
