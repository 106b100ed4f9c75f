using Gate.V1;
using GateSidecar.Approvals;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace GateSidecar.Transport.Services;

/// <summary>Thin handlers of <c>gate.v1.Gate</c>: validate the caller, call <see cref="ApprovalService"/>, map errors.</summary>
internal sealed class GateServiceHandlers(ApprovalService approvals)
{
    public void Map(GrpcServiceRegistry registry)
    {
        var service = GateReflection.Descriptor.Services.Single(s => s.Name == "Gate");
        registry.AddUnary<CheckRequest, CheckResponse>(service.FindMethodByName("Check"), CheckAsync);
        registry.AddServerStreaming<CheckRequest, ApprovalEvent>(service.FindMethodByName("Guard"), GuardAsync);
        registry.AddServerStreaming<WatchRequest, ApprovalEvent>(service.FindMethodByName("Watch"), WatchAsync);
        registry.AddUnary<GetApprovalRequest, Approval>(service.FindMethodByName("GetApproval"), GetApprovalAsync);
        registry.AddUnary<CancelRequest, Approval>(service.FindMethodByName("Cancel"), CancelAsync);
        registry.AddUnary<ReportOutcomeRequest, ReportOutcomeResponse>(service.FindMethodByName("ReportOutcome"), ReportOutcomeAsync);
    }

    private async ValueTask<CheckResponse> CheckAsync(CheckRequest request, ServerCallContext context)
    {
        CallerGuard.RequireLocalOrCertificate(context);
        var result = await approvals.CheckAsync(request, context.GetHeader("traceparent"), context.CancellationToken).ConfigureAwait(false);
        return ErrorMapping.Unwrap(result).Response;
    }

    private async Task GuardAsync(CheckRequest request, IServerStreamWriter<ApprovalEvent> writer, ServerCallContext context)
    {
        CallerGuard.RequireLocalOrCertificate(context);
        var result = await approvals.StartGuardAsync(request, context.GetHeader("traceparent"), context.CancellationToken).ConfigureAwait(false);
        using var start = ErrorMapping.Unwrap(result);
        await StreamAsync(token => approvals.WatchAsync(start, token), writer, context).ConfigureAwait(false);
    }

    private async Task WatchAsync(WatchRequest request, IServerStreamWriter<ApprovalEvent> writer, ServerCallContext context)
    {
        CallerGuard.RequireLocalOrCertificate(context);
        ErrorMapping.Unwrap(await approvals.GetAsync(request.ApprovalId, context.CancellationToken).ConfigureAwait(false));
        await StreamAsync(token => approvals.WatchAsync(request.ApprovalId, token), writer, context).ConfigureAwait(false);
    }

    private static async Task StreamAsync(Func<CancellationToken, IAsyncEnumerable<ApprovalEvent>> events, IServerStreamWriter<ApprovalEvent> writer, ServerCallContext context)
    {
        // Shutdown ends long-lived streams (UNAVAILABLE) so the agent re-attaches elsewhere with Watch.
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, context.ServerStopping);
        try
        {
            await foreach (var evt in events(stream.Token).ConfigureAwait(false))
            {
                await writer.WriteAsync(evt, stream.Token).ConfigureAwait(false);
            }
        }
        catch (StoreUnavailableException ex)
        {
            throw new Gate.Client.RpcException(Gate.Client.StatusCode.Unavailable, ex.Message + "; re-attach with Watch once the store is back");
        }
    }

    private async ValueTask<Approval> GetApprovalAsync(GetApprovalRequest request, ServerCallContext context)
    {
        CallerGuard.RequireLocalOrCertificate(context);
        return ErrorMapping.Unwrap(await approvals.GetAsync(request.ApprovalId, context.CancellationToken).ConfigureAwait(false)).Approval;
    }

    private async ValueTask<Approval> CancelAsync(CancelRequest request, ServerCallContext context)
    {
        CallerGuard.RequireLocalOrCertificate(context);
        var existing = ErrorMapping.Unwrap(await approvals.GetAsync(request.ApprovalId, context.CancellationToken).ConfigureAwait(false));
        var actor = "agent:" + (existing.Approval.Request?.Agent?.AgentId ?? string.Empty);
        return ErrorMapping.Unwrap(await approvals.CancelAsync(request, actor, context.CancellationToken).ConfigureAwait(false)).Approval;
    }

    private async ValueTask<ReportOutcomeResponse> ReportOutcomeAsync(ReportOutcomeRequest request, ServerCallContext context)
    {
        CallerGuard.RequireLocalOrCertificate(context);
        var record = ErrorMapping.Unwrap(await approvals.ReportOutcomeAsync(request, context.CancellationToken).ConfigureAwait(false));
        return new ReportOutcomeResponse { Approval = record.Approval };
    }
}
