using Gate.Client;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace GateSidecar.Transport.Health;

/// <summary><c>grpc.health.v1.Health</c> over <see cref="HealthStatusService"/>.</summary>
internal sealed class HealthService
{
    // Responses are never mutated after creation, so one instance per status serves every call.
    private static readonly HealthCheckResponse[] Responses =
    [
        new() { Status = ServingStatus.Unknown },
        new() { Status = ServingStatus.Serving },
        new() { Status = ServingStatus.NotServing },
        new() { Status = ServingStatus.ServiceUnknown },
    ];

    private readonly HealthStatusService _statuses;

    public HealthService(HealthStatusService statuses)
    {
        _statuses = statuses;
    }

    public static void Map(GrpcServiceRegistry registry, HealthService service)
    {
        var methods = HealthReflection.Descriptor.Services[0].Methods;
        registry.AddUnary<HealthCheckRequest, HealthCheckResponse>(methods[0], service.Check);
        registry.AddServerStreaming<HealthCheckRequest, HealthCheckResponse>(methods[1], service.WatchAsync);
    }

    public ValueTask<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        if (!_statuses.TryGetStatus(request.Service, out var status))
        {
            throw new RpcException(StatusCode.NotFound, $"unknown service '{request.Service}': ask for \"\" (the whole server) or a served service such as gate.v1.Gate");
        }

        return ValueTask.FromResult(Responses[(int)status]);
    }

    public async Task WatchAsync(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responses, ServerCallContext context)
    {
        using var watch = _statuses.Watch(request.Service);
        ServingStatus? sent = null;
        while (await watch.Updates.WaitToReadAsync(context.CancellationToken).ConfigureAwait(false))
        {
            while (watch.Updates.TryRead(out var status))
            {
                if (status != sent)
                {
                    await responses.WriteAsync(Responses[(int)status], context.CancellationToken).ConfigureAwait(false);
                    sent = status;
                }
            }

            if (_statuses.IsStopping)
            {
                // Ending the stream lets the server stop without waiting for its shutdown timeout.
                throw new RpcException(StatusCode.Unavailable, "the sidecar is shutting down");
            }
        }
    }
}
