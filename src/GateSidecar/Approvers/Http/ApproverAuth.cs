using GateSidecar.Approvals;

namespace GateSidecar.Approvers.Http;

/// <summary>
/// Who is calling. The JSON API takes only <c>Authorization: Bearer &lt;token&gt;</c>. The live feed also
/// takes the events cookie set at sign-in, or <c>?access_token=</c>, because a browser's EventSource
/// cannot send headers; nothing else accepts them, so the cookie cannot be used to decide anything.
/// </summary>
internal static class ApproverAuth
{
    /// <summary>HttpOnly, SameSite=Strict, scoped to the feed's path.</summary>
    public const string EventsCookie = "gate_events";

    public const string EventsPath = "/api/v1/events";

    public static Result<Approver> FromHeader(HttpContext http, ApproverDesk desk)
    {
        var header = http.Request.Headers.Authorization;
        return desk.Authenticate(header.Count == 0 ? null : header[0]);
    }

    public static Result<Approver> ForEventStream(HttpContext http, ApproverDesk desk)
    {
        if (http.Request.Headers.Authorization.Count > 0)
        {
            return FromHeader(http, desk);
        }

        var token = http.Request.Cookies[EventsCookie] ?? HttpIo.Query(http, "access_token");
        if (string.IsNullOrEmpty(token))
        {
            return new ApprovalError(ApprovalErrorKind.Unauthenticated, "missing bearer token: send 'Authorization: Bearer <token>', sign in with POST /api/v1/session (which sets the feed's cookie), or pass ?access_token=<token>");
        }

        return desk.Authenticate("Bearer " + token);
    }
}
