using Microsoft.Extensions.Logging;

namespace GateSidecar.Transport;

/// <summary>What every method handler shares: limits, the clock and the transport's logger.</summary>
internal sealed class GrpcServerRuntime : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public GrpcServerRuntime(GrpcTransportOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        if (options.MaxMessageBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxMessageBytes, "MaxMessageBytes must be positive");
        }

        MaxMessageBytes = options.MaxMessageBytes;
        TimeProvider = timeProvider;
        Logger = loggerFactory.CreateLogger("GateSidecar.Transport.Grpc");
    }

    public int MaxMessageBytes { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    /// <summary>Fires when the server starts shutting down (see <see cref="ServerCallContext.ServerStopping"/>).</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Tells every running call that the server is stopping. Called once by the host.</summary>
    public void SignalStopping() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
