using Microsoft.Extensions.Logging;

namespace GateSidecar.Transport;

/// <summary>What every method handler shares: limits, the clock and the transport's logger.</summary>
internal sealed class GrpcServerRuntime
{
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
}
