using System.Text;
using GateSidecar.Approvals;
using GateSidecar.Hosting;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvers.Http;

/// <summary>
/// <c>POST /webhooks/decision</c>: decisions relayed by a chat bot that holds <c>--webhook-secret</c> and
/// vouches for the named approver. In order: the signature (constant time), its age (at most five
/// minutes either way), that it was not seen before (remembered in the store until it goes stale, so a
/// replay is refused by every sidecar sharing it), the body, the approver (must be in the approvers
/// file), then the same rules as <c>Decide</c> through <see cref="ApproverDesk"/>. Every refusal changes nothing.
/// </summary>
internal sealed partial class DecisionWebhook(ApproverDesk desk, ApprovalService approvals, GateOptions options, TimeProvider time, ILogger<DecisionWebhook> logger)
{
    public const string Path = "/webhooks/decision";

    private readonly byte[]? _secret = string.IsNullOrEmpty(options.WebhookSecret) ? null : Encoding.UTF8.GetBytes(options.WebhookSecret);

    public void Map(IEndpointRouteBuilder routes) => routes.MapPost(Path, HandleAsync);

    private async Task HandleAsync(HttpContext http)
    {
        var outcome = await DecideAsync(http).ConfigureAwait(false);
        if (outcome.Error is { } error)
        {
            await error.WriteAsync(http).ConfigureAwait(false);
            return;
        }

        await HttpIo.WriteJsonAsync(http, ProtoJson.Webhook.Format(outcome.Approval!)).ConfigureAwait(false);
    }

    private async Task<(Gate.V1.Approval? Approval, ApiError? Error)> DecideAsync(HttpContext http)
    {
        if (_secret is null)
        {
            return (null, ApiError.NotFound("inbound decision webhooks are off: start the sidecar with --webhook-secret SECRET and give the bot the same secret"));
        }

        var (body, bodyError) = await HttpIo.ReadJsonBodyAsync(http).ConfigureAwait(false);
        if (bodyError is not null)
        {
            return (null, bodyError);
        }

        var check = WebhookSignature.Verify(_secret, http.Request.Headers[WebhookSignature.Header].ToString(), body, time.GetUtcNow());
        if (!check.Ok)
        {
            LogRefused(logger, check.Failure.ToString(), http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return (null, ApiError.Unauthenticated(check.Message));
        }

        bool firstUse;
        try
        {
            var staleAt = DateTimeOffset.FromUnixTimeSeconds(check.Timestamp) + WebhookSignature.Tolerance;
            firstUse = await approvals.Store.TryConsumeTokenAsync($"webhook:{check.Timestamp}:{check.Signature}", staleAt, http.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            return (null, ApiError.From(ApprovalError.Unavailable(ex.Message)));
        }

        if (!firstUse)
        {
            LogRefused(logger, "Replay", http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return (null, ApiError.Unauthenticated("this signed request was already received (replay): sign every request afresh, with the current time"));
        }

        var parsed = WebhookDecisionBody.Parse(body);
        if (!parsed.Ok)
        {
            return (null, ApiError.From(parsed.Error!));
        }

        var (approverId, request) = parsed.Value;
        if (desk.Directory.Find(approverId) is not { } approver)
        {
            return (null, new ApiError(StatusCodes.Status403Forbidden, "PERMISSION_DENIED", $"approver '{approverId}' is not in the approvers file: the bot may only decide for configured approvers"));
        }

        var decided = await desk.DecideAsync(approver, request, http.RequestAborted).ConfigureAwait(false);
        if (!decided.Ok)
        {
            return (null, ApiError.From(decided.Error!));
        }

        LogDecided(logger, request.ApprovalId, approver.Id, request.Verdict.ToString());
        return (decided.Value, null);
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "decision webhook refused ({Failure}) from {Remote}")]
    private static partial void LogRefused(ILogger logger, string failure, string remote);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "decision webhook: approval {ApprovalId}, approver {Approver}, verdict {Verdict}")]
    private static partial void LogDecided(ILogger logger, string approvalId, string approver, string verdict);
}
