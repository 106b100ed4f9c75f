using System.Text.Json;
using GateSidecar.Approvals;

namespace GateSidecar.Approvers.Http;

/// <summary>
/// <c>GET /api/v1/me</c> (who the token belongs to, their pools) and <c>POST|DELETE /api/v1/session</c>
/// (sign-in and sign-out of the console: the same answer as <c>/me</c>, plus the live feed's cookie).
/// </summary>
internal sealed class ApproverInfoApi(ApproverDesk desk, ApprovalService approvals)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/me", MeAsync);
        routes.MapPost("/api/v1/session", SignInAsync);
        routes.MapDelete("/api/v1/session", SignOut);
    }

    private async Task MeAsync(HttpContext http)
    {
        var approver = ApproverAuth.FromHeader(http, desk);
        await (approver.Ok ? HttpIo.WriteJsonAsync(http, Describe(approver.Value!)) : ApiError.From(approver.Error!).WriteAsync(http)).ConfigureAwait(false);
    }

    private async Task SignInAsync(HttpContext http)
    {
        var approver = ApproverAuth.FromHeader(http, desk);
        if (!approver.Ok)
        {
            await ApiError.From(approver.Error!).WriteAsync(http).ConfigureAwait(false);
            return;
        }

        // The raw token, readable by no script and sent only to the feed (EventSource cannot send headers).
        var token = http.Request.Headers.Authorization[0]!.AsSpan(7).Trim().ToString();
        http.Response.Cookies.Append(ApproverAuth.EventsCookie, token, EventsCookieOptions(http));
        await HttpIo.WriteJsonAsync(http, Describe(approver.Value!)).ConfigureAwait(false);
    }

    private static IResult SignOut(HttpContext http)
    {
        http.Response.Cookies.Delete(ApproverAuth.EventsCookie, EventsCookieOptions(http));
        return Results.NoContent();
    }

    private static CookieOptions EventsCookieOptions(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = ApproverAuth.EventsPath,
        IsEssential = true,
    };

    private byte[] Describe(Approver approver)
    {
        var pools = desk.PoolsFor(approver, null, out _).Order(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("approverId", approver.Id);
            json.WriteString("name", approver.Name);
            json.WriteStartArray("pools");
            foreach (var pool in pools)
            {
                json.WriteStringValue(pool);
            }

            json.WriteEndArray();
            json.WriteString("policyVersion", approvals.Policy.Version);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
