using Grpc.Health.V1;

namespace Gate.Client;

/// <summary>Client of the standard <c>grpc.health.v1.Health</c> service.</summary>
public sealed class HealthClient
{
    private readonly GateChannel _channel;

    /// <summary>Creates a client over <paramref name="channel"/>.</summary>
    public HealthClient(GateChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _channel = channel;
    }

    /// <summary>The serving status of a service ("" for the whole server); an unknown service fails with NOT_FOUND.</summary>
    public Task<HealthCheckResponse> CheckAsync(HealthCheckRequest request, CallOptions options = default) =>
        GrpcCall.UnaryAsync(_channel, "/grpc.health.v1.Health/Check", request, HealthCheckResponse.Parser, options);

    /// <summary>The current status, then every change (SERVICE_UNKNOWN for a service not registered yet).</summary>
    public IAsyncEnumerable<HealthCheckResponse> Watch(HealthCheckRequest request, CallOptions options = default) =>
        GrpcCall.ServerStreaming(_channel, "/grpc.health.v1.Health/Watch", request, HealthCheckResponse.Parser, options);
}
