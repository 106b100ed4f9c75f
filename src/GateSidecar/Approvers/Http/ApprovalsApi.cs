using System.Text;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvers;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace GateSidecar.Approvers.Http;

/// <summary>
/// <c>/api/v1/approvals</c>: the <c>Approvals</c> service over HTTP, with the same authentication and rules
/// (everything goes through <see cref="ApproverDesk"/>). A bad request changes nothing.
/// </summary>
internal sealed class ApprovalsApi(ApproverDesk desk)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/approvals", ListAsync);
        routes.MapPost("/api/v1/approvals/batch-decision", DecideBatchAsync);
        routes.MapGet("/api/v1/approvals/{id}", GetAsync);
        routes.MapPost("/api/v1/approvals/{id}/decision", DecideAsync);
    }

    private async Task ListAsync(HttpContext http)
    {
        var approver = ApproverAuth.FromHeader(http, desk);
        if (!approver.Ok)
        {
            await ApiError.From(approver.Error!).WriteAsync(http).ConfigureAwait(false);
            return;
        }

        var size = HttpIo.QueryInt(http, "page_size", "pageSize", 0, 0, int.MaxValue);
        if (!size.Ok)
        {
            await ApiError.From(size.Error!).WriteAsync(http).ConfigureAwait(false);
            return;
        }

        var page = await desk.ListPendingAsync(approver.Value!, HttpIo.Query(http, "pool"), size.Value, HttpIo.Query(http, "page_token", "pageToken"), http.RequestAborted).ConfigureAwait(false);
        await (page.Ok ? HttpIo.WriteMessageAsync(http, page.Value!) : ApiError.From(page.Error!).WriteAsync(http)).ConfigureAwait(false);
    }

    private async Task GetAsync(HttpContext http)
    {
        var approver = ApproverAuth.FromHeader(http, desk);
        if (!approver.Ok)
        {
            await ApiError.From(approver.Error!).WriteAsync(http).ConfigureAwait(false);
            return;
        }

        var found = await desk.GetAsync(approver.Value!, RouteId(http), http.RequestAborted).ConfigureAwait(false);
        await (found.Ok ? HttpIo.WriteMessageAsync(http, found.Value!) : ApiError.From(found.Error!).WriteAsync(http)).ConfigureAwait(false);
    }

    private async Task DecideAsync(HttpContext http)
    {
        if (await ReadAuthorizedAsync<DecideRequest>(http, DecideRequest.Descriptor).ConfigureAwait(false) is not (Approver approver, DecideRequest request))
        {
            return;
        }

        var id = RouteId(http);
        if (request.ApprovalId.Length > 0 && request.ApprovalId != id)
        {
            await ApiError.Invalid($"the body names approval '{request.ApprovalId}' but the path names '{id}': leave approvalId out of the body, or make them equal").WriteAsync(http).ConfigureAwait(false);
            return;
        }

        request.ApprovalId = id;
        var decided = await desk.DecideAsync(approver, request, http.RequestAborted).ConfigureAwait(false);
        await (decided.Ok ? HttpIo.WriteMessageAsync(http, decided.Value!) : ApiError.From(decided.Error!).WriteAsync(http)).ConfigureAwait(false);
    }

    private async Task DecideBatchAsync(HttpContext http)
    {
        if (await ReadAuthorizedAsync<DecideBatchRequest>(http, DecideBatchRequest.Descriptor).ConfigureAwait(false) is not (Approver approver, DecideBatchRequest request))
        {
            return;
        }

        var invalid = request.Verdict switch
        {
            DecisionVerdict.Unspecified => $"verdict is required: one of {ProtoJson.ShortNames(DecideBatchRequest.Descriptor.FindFieldByName("verdict").EnumType)}",
            DecisionVerdict.EditAndApprove => "EDIT_AND_APPROVE cannot be batched: edit each approval on its own",
            _ => null,
        } ?? request.ApprovalIds.Count switch
        {
            0 => "approvalIds is empty: list the approvals to decide",
            > ApproverDesk.MaxPageSize => $"approvalIds holds {request.ApprovalIds.Count} ids; the limit is {ApproverDesk.MaxPageSize} per batch",
            _ => request.ApprovalIds.Distinct(StringComparer.Ordinal).Count() != request.ApprovalIds.Count ? "approvalIds lists an approval twice: list each once" : null,
        };
        if (invalid is not null)
        {
            await ApiError.Invalid(invalid).WriteAsync(http).ConfigureAwait(false);
            return;
        }

        var results = await desk.DecideBatchAsync(approver, request, http.RequestAborted).ConfigureAwait(false);
        await HttpIo.WriteMessageAsync(http, results).ConfigureAwait(false);
    }

    private static string RouteId(HttpContext http) => http.Request.RouteValues["id"] as string ?? string.Empty;

    /// <summary>
    /// The authenticated approver and the parsed body, or null once the problem (401, 400, 413, 415)
    /// has been written: every write endpoint starts this way.
    /// </summary>
    private async Task<(Approver Approver, T Request)?> ReadAuthorizedAsync<T>(HttpContext http, MessageDescriptor descriptor)
        where T : IMessage<T>, new()
    {
        var approver = ApproverAuth.FromHeader(http, desk);
        if (!approver.Ok)
        {
            await ApiError.From(approver.Error!).WriteAsync(http).ConfigureAwait(false);
            return null;
        }

        var (body, bodyError) = await HttpIo.ReadJsonBodyAsync(http).ConfigureAwait(false);
        if (bodyError is not null)
        {
            await bodyError.WriteAsync(http).ConfigureAwait(false);
            return null;
        }

        var parsed = ProtoJson.Parse<T>(Encoding.UTF8.GetString(body!), descriptor);
        if (!parsed.Ok)
        {
            await ApiError.From(parsed.Error!).WriteAsync(http).ConfigureAwait(false);
            return null;
        }

        return (approver.Value!, parsed.Value!);
    }
}
