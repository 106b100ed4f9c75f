using Gate.V1;

namespace Gate.Client;

/// <summary>
/// The approver's client of <c>gate.v1.Approvals</c>. Every call carries
/// <c>authorization: Bearer &lt;token&gt;</c>; the approver's identity comes from that token.
/// </summary>
public sealed class ApprovalsClient
{
    private readonly GateChannel _channel;
    private readonly KeyValuePair<string, string> _authorization;

    /// <summary>Creates a client acting as the approver who holds <paramref name="bearerToken"/>.</summary>
    public ApprovalsClient(GateChannel channel, string bearerToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentException.ThrowIfNullOrWhiteSpace(bearerToken);
        _channel = channel;
        _authorization = new KeyValuePair<string, string>("authorization", "Bearer " + bearerToken);
    }

    /// <summary>Pending (and escalated) approvals in the caller's pools.</summary>
    public Task<ListPendingResponse> ListPendingAsync(ListPendingRequest request, CallOptions options = default) =>
        GrpcCall.UnaryAsync(_channel, "/gate.v1.Approvals/ListPending", request, ListPendingResponse.Parser, Authorized(options));

    /// <summary>One decision: approve, reject, edit and approve, or escalate.</summary>
    public Task<Approval> DecideAsync(DecideRequest request, CallOptions options = default) =>
        GrpcCall.UnaryAsync(_channel, "/gate.v1.Approvals/Decide", request, Approval.Parser, Authorized(options));

    /// <summary>The same decision for many approvals, with a result per item.</summary>
    public Task<DecideBatchResponse> DecideBatchAsync(DecideBatchRequest request, CallOptions options = default) =>
        GrpcCall.UnaryAsync(_channel, "/gate.v1.Approvals/DecideBatch", request, DecideBatchResponse.Parser, Authorized(options));

    /// <summary>Live feed of approval events in the caller's pools.</summary>
    public IAsyncEnumerable<ApprovalEvent> StreamPending(StreamPendingRequest request, CallOptions options = default) =>
        GrpcCall.ServerStreaming(_channel, "/gate.v1.Approvals/StreamPending", request, ApprovalEvent.Parser, Authorized(options));

    private CallOptions Authorized(CallOptions options) =>
        options with { Headers = options.Headers is null ? [_authorization] : options.Headers.Append(_authorization) };
}
