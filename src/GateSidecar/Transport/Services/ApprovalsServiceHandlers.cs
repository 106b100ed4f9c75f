using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvers;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace GateSidecar.Transport.Services;

/// <summary>Thin handlers of <c>gate.v1.Approvals</c>: every call is authenticated by its bearer token.</summary>
internal sealed class ApprovalsServiceHandlers(ApproverDesk desk, ChangeFeed feed)
{
    /// <summary>A burst of queued changes is flushed at least this often, so a long one still streams.</summary>
    private const int MaxEventsPerFlush = 64;

    public void Map(GrpcServiceRegistry registry)
    {
        var service = ApprovalsReflection.Descriptor.Services.Single(s => s.Name == "Approvals");
        registry.AddUnary<ListPendingRequest, ListPendingResponse>(service.FindMethodByName("ListPending"), ListPendingAsync);
        registry.AddUnary<DecideRequest, Approval>(service.FindMethodByName("Decide"), DecideAsync);
        registry.AddUnary<DecideBatchRequest, DecideBatchResponse>(service.FindMethodByName("DecideBatch"), DecideBatchAsync);
        registry.AddServerStreaming<StreamPendingRequest, ApprovalEvent>(service.FindMethodByName("StreamPending"), StreamPendingAsync);
    }

    private Approver Authenticate(ServerCallContext context) => ErrorMapping.Unwrap(desk.Authenticate(context.GetHeader("authorization")));

    private async ValueTask<ListPendingResponse> ListPendingAsync(ListPendingRequest request, ServerCallContext context)
    {
        var approver = Authenticate(context);
        return ErrorMapping.Unwrap(await desk.ListPendingAsync(approver, request.Pool, request.PageSize, request.PageToken, context.CancellationToken).ConfigureAwait(false));
    }

    private async ValueTask<Approval> DecideAsync(DecideRequest request, ServerCallContext context)
    {
        var approver = Authenticate(context);
        return ErrorMapping.Unwrap(await desk.DecideAsync(approver, request, context.CancellationToken).ConfigureAwait(false));
    }

    private async ValueTask<DecideBatchResponse> DecideBatchAsync(DecideBatchRequest request, ServerCallContext context)
    {
        var approver = Authenticate(context);
        if (request.ApprovalIds.Count == 0)
        {
            throw new Gate.Client.RpcException(Gate.Client.StatusCode.InvalidArgument, "approval_ids is empty: list the approvals to decide");
        }

        if (request.ApprovalIds.Count > ApproverDesk.MaxPageSize)
        {
            throw new Gate.Client.RpcException(Gate.Client.StatusCode.InvalidArgument, $"approval_ids holds {request.ApprovalIds.Count} ids; the limit is {ApproverDesk.MaxPageSize} per batch");
        }

        return await desk.DecideBatchAsync(approver, request, context.CancellationToken).ConfigureAwait(false);
    }

    private async Task StreamPendingAsync(StreamPendingRequest request, IServerStreamWriter<ApprovalEvent> writer, ServerCallContext context)
    {
        var approver = Authenticate(context);
        var pools = desk.PoolsFor(approver, request.Pool, out var error);
        if (error is not null)
        {
            throw ErrorMapping.ToException(error);
        }

        var events = desk.OpenStream(pools);
        using var listener = feed.ListenAll();
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, context.ServerStopping);
        var token = stream.Token;

        // Changes that are already queued leave in one flush; nothing stays unsent while the
        // stream waits for the next change.
        var unflushed = 0;
        while (true)
        {
            if (!listener.Reader.TryRead(out var change))
            {
                if (unflushed > 0)
                {
                    await writer.FlushAsync(token).ConfigureAwait(false);
                    unflushed = 0;
                }

                change = await listener.Reader.ReadAsync(token).ConfigureAwait(false);
            }

            if (change.IsResync)
            {
                // Changes were lost: list what is open now and send what this stream has not shown.
                await foreach (var missed in events.ResyncAsync(token).ConfigureAwait(false))
                {
                    await SendAsync(missed).ConfigureAwait(false);
                }
            }
            else if (await events.NextAsync(change, token).ConfigureAwait(false) is { } evt)
            {
                await SendAsync(evt).ConfigureAwait(false);
            }
        }

        async ValueTask SendAsync(ApprovalEvent evt)
        {
            writer.WriteBuffered(evt);
            if (++unflushed >= MaxEventsPerFlush)
            {
                await writer.FlushAsync(token).ConfigureAwait(false);
                unflushed = 0;
            }
        }
    }
}
