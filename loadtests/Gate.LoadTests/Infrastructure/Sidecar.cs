using Gate.Client;

namespace Gate.LoadTests.Infrastructure;

/// <summary>
/// One sidecar as the driver sees it: its addresses and a few channels (HTTP/2 connections) that
/// calls are spread over round-robin, so one connection's write lock does not become the limit.
/// </summary>
internal sealed class Sidecar : IDisposable
{
    private readonly GateChannel[] _channels;
    private readonly GateClient[] _clients;
    private int _next;

    public Sidecar(string name, Uri grpc, Uri? http, int connections, string? logPath = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, 1);
        Name = name;
        GrpcAddress = grpc;
        HttpAddress = http;
        LogPath = logPath;
        _channels = new GateChannel[connections];
        _clients = new GateClient[connections];
        for (var i = 0; i < connections; i++)
        {
            _channels[i] = GateChannel.ForAddress(grpc, new GateChannelOptions
            {
                // One connection per channel: the pool would otherwise open more only past 1000 streams.
                ConfigureHandler = handler => handler.PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            });
            _clients[i] = new GateClient(_channels[i]);
        }

        Audit = new AuditClient(_channels[0]);
    }

    /// <summary>"A", "B", ...</summary>
    public string Name { get; }

    public Uri GrpcAddress { get; }

    /// <summary>The HTTP port (JWKS, readiness); null when the driver was only told the gRPC address.</summary>
    public Uri? HttpAddress { get; }

    /// <summary>The sidecar's log file when the driver started it.</summary>
    public string? LogPath { get; }

    public AuditClient Audit { get; }

    /// <summary>The next channel's Gate client (round-robin).</summary>
    public GateClient Gate => _clients[(int)((uint)Interlocked.Increment(ref _next) % (uint)_clients.Length)];

    public GateChannel Channel(int index) => _channels[index % _channels.Length];

    /// <summary>Connections (channels) the driver keeps to this sidecar.</summary>
    public int Connections => _channels.Length;

    /// <summary>An Approvals client acting as <paramref name="approverId"/> (token "&lt;id&gt;-load-token").</summary>
    public ApprovalsClient As(string approverId, int channel = 0) => new(Channel(channel), approverId + "-load-token");

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}
