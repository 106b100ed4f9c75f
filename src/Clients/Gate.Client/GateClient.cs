using Gate.V1;

namespace Gate.Client;

/// <summary>
/// The agent runtime's client of <c>gate.v1.Gate</c>: ask before every tool call, follow the
/// approval, report the outcome. Failures throw <see cref="RpcException"/>.
/// </summary>
public sealed class GateClient
{
    private readonly GateChannel _channel;

    /// <summary>Creates a client over <paramref name="channel"/> (which the caller keeps and disposes).</summary>
    public GateClient(GateChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _channel = channel;
    }

    /// <summary>Evaluates the policy for a proposed call: ALLOW (with a token), DENY or PENDING, at once.</summary>
    public Task<CheckResponse> CheckAsync(CheckRequest request, CallOptions options = default) =>
        GrpcCall.UnaryAsync(_channel, "/gate.v1.Gate/Check", request, CheckResponse.Parser, options);

    /// <summary>The same evaluation, then the approval's events until a terminal state.</summary>
    public IAsyncEnumerable<ApprovalEvent> Guard(CheckRequest request, CallOptions options = default) =>
        GrpcCall.ServerStreaming(_channel, "/gate.v1.Gate/Guard", request, ApprovalEvent.Parser, options);

    /// <summary>Re-attaches to an approval: its current state first, then every change until terminal.</summary>
    public IAsyncEnumerable<ApprovalEvent> Watch(WatchRequest request, CallOptions options = default) =>
        GrpcCall.ServerStreaming(_channel, "/gate.v1.Gate/Watch", request, ApprovalEvent.Parser, options);

    /// <summary>The approval's current state and checkpoint.</summary>
    public Task<Approval> GetApprovalAsync(GetApprovalRequest request, CallOptions options = default) =>
        GrpcCall.UnaryAsync(_channel, "/gate.v1.Gate/GetApproval", request, Approval.Parser, options);

    /// <summary>Withdraws a pending call (CANCELLED); a terminal approval fails with FAILED_PRECONDITION.</summary>
    public Task<Approval> CancelAsync(CancelRequest request, CallOptions options = default) =>
        GrpcCall.UnaryAsync(_channel, "/gate.v1.Gate/Cancel", request, Approval.Parser, options);

    /// <summary>Reports the execution of an allowed or approved call, consuming its token.</summary>
    public Task<ReportOutcomeResponse> ReportOutcomeAsync(ReportOutcomeRequest request, CallOptions options = default) =>
        GrpcCall.UnaryAsync(_channel, "/gate.v1.Gate/ReportOutcome", request, ReportOutcomeResponse.Parser, options);
}
