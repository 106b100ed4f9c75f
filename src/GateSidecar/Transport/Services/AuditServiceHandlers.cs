using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Audit;
using GateSidecar.Tokens;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace GateSidecar.Transport.Services;

/// <summary>Thin handlers of <c>gate.v1.Audit</c>.</summary>
internal sealed class AuditServiceHandlers(IApprovalStore store, SigningKeyRing keys)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public void Map(GrpcServiceRegistry registry)
    {
        var service = AuditReflection.Descriptor.Services.Single(s => s.Name == "Audit");
        registry.AddUnary<ListEventsRequest, ListEventsResponse>(service.FindMethodByName("ListEvents"), ListEventsAsync);
        registry.AddUnary<VerifyRequest, VerifyResponse>(service.FindMethodByName("Verify"), VerifyAsync);
    }

    private async ValueTask<ListEventsResponse> ListEventsAsync(ListEventsRequest request, ServerCallContext context)
    {
        CallerGuard.RequireLocalOrCertificate(context);
        if (request.PageSize < 0)
        {
            throw new Gate.Client.RpcException(Gate.Client.StatusCode.InvalidArgument, "page_size must not be negative");
        }

        var query = new AuditQuery(
            string.IsNullOrEmpty(request.ApprovalId) ? null : request.ApprovalId,
            request.Since?.ToDateTimeOffset(),
            request.Until?.ToDateTimeOffset(),
            request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize),
            string.IsNullOrEmpty(request.PageToken) ? null : request.PageToken);
        AuditPage page;
        try
        {
            page = await store.ListAuditAsync(query, context.CancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            throw new Gate.Client.RpcException(Gate.Client.StatusCode.Unavailable, ex.Message);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new Gate.Client.RpcException(Gate.Client.StatusCode.InvalidArgument, "page_token is not one this server issued: pass next_page_token from the previous response");
        }

        var response = new ListEventsResponse { NextPageToken = page.NextPageToken ?? string.Empty };
        response.Events.AddRange(page.Events);
        return response;
    }

    private async ValueTask<VerifyResponse> VerifyAsync(VerifyRequest request, ServerCallContext context)
    {
        CallerGuard.RequireLocalOrCertificate(context);
        try
        {
            var result = await AuditStoreVerifier.VerifyAsync(store, keys, context.CancellationToken).ConfigureAwait(false);
            return new VerifyResponse { Ok = result.Ok, EntriesChecked = result.EntriesChecked, FirstBadSeq = result.FirstBadSeq, Detail = result.Detail };
        }
        catch (StoreUnavailableException ex)
        {
            throw new Gate.Client.RpcException(Gate.Client.StatusCode.Unavailable, ex.Message);
        }
    }
}
