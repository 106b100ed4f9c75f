using Gate.V1;

namespace Gate.Client;

/// <summary>The operator's client of <c>gate.v1.Audit</c>.</summary>
public sealed class AuditClient
{
    private readonly GateChannel _channel;

    /// <summary>Creates a client over <paramref name="channel"/>.</summary>
    public AuditClient(GateChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _channel = channel;
    }

    /// <summary>Audit entries, filterable by approval id and time range, paged.</summary>
    public Task<ListEventsResponse> ListEventsAsync(ListEventsRequest request, CallOptions options = default) =>
        GrpcCall.UnaryAsync(_channel, "/gate.v1.Audit/ListEvents", request, ListEventsResponse.Parser, options);

    /// <summary>Re-checks the hash chain and signatures of the audit trail.</summary>
    public Task<VerifyResponse> VerifyAsync(VerifyRequest request, CallOptions options = default) =>
        GrpcCall.UnaryAsync(_channel, "/gate.v1.Audit/Verify", request, VerifyResponse.Parser, options);
}
