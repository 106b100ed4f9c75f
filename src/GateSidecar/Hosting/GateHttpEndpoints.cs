using System.Text.Json;
using GateSidecar.Approvers.Http;
using GateSidecar.Policy;
using GateSidecar.Tokens;

namespace GateSidecar.Hosting;

/// <summary>Operational HTTP endpoints: readiness and the signing keys.</summary>
internal static class GateHttpEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/readyz", static (HttpContext http, StoreMonitor store, PolicyProvider policy) =>
        {
            var ready = store.Ready;
            http.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            http.Response.ContentType = "application/json";
            return http.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["ready"] = ready,
                ["store"] = store.Detail,
                ["policy_version"] = policy.Current.Version,
                ["policy_reload_error"] = policy.LastReloadError,
            }), http.RequestAborted);
        });

        app.MapGet("/.well-known/jwks.json", static (HttpContext http, SigningKeyRing keys) =>
        {
            http.Response.ContentType = JwksDocument.ContentType;
            http.Response.Headers.CacheControl = "public, max-age=300";
            return http.Response.Body.WriteAsync(keys.Jwks.Utf8Json, http.RequestAborted).AsTask();
        });

        ApproverHttp.Map(app);
    }
}
