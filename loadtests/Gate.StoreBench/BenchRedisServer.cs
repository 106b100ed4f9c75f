using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gate.StoreBench;

/// <summary>A throw-away redis-server with AOF on, as the run script starts it.</summary>
internal sealed class BenchRedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private BenchRedisServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Endpoint = $"127.0.0.1:{port}";
    }

    public string Endpoint { get; }

    public static async Task<BenchRedisServer> StartAsync()
    {
        const string server = "/usr/bin/redis-server";
        if (!File.Exists(server))
        {
            throw new InvalidOperationException($"{server} is missing: install it with `apt-get install -y redis-server`, or pass --redis HOST:PORT.");
        }

        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var directory = Directory.CreateTempSubdirectory("gate-bench-redis-").FullName;
        var info = new ProcessStartInfo(server) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--appendonly", "yes", "--dir", directory, "--save", string.Empty })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        var started = Stopwatch.StartNew();
        while (started.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new BenchRedisServer(process, directory, port);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        process.Kill();
        throw new TimeoutException($"redis-server on port {port} did not start within 10 s.");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
