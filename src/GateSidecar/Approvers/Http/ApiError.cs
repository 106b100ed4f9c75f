using System.Text.Json;
using Gate.Client;
using GateSidecar.Approvals;

namespace GateSidecar.Approvers.Http;

/// <summary>
/// An HTTP failure, written as <c>application/problem+json</c> (RFC 9457: type, title, status, detail,
/// plus <c>code</c>, the gRPC status name, and <c>instance</c>, the request path). The one place that
/// maps an <see cref="ApprovalError"/> (through its gRPC status) to an HTTP status.
/// </summary>
internal sealed record ApiError(int Status, string Code, string Detail)
{
    public const string ContentType = "application/problem+json";

    public static ApiError From(ApprovalError error) => new(StatusFor(error.Status), CodeName(error.Status), error.Message);

    public static ApiError Invalid(string detail) => new(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", detail);

    public static ApiError Unauthenticated(string detail) => new(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED", detail);

    public static ApiError NotFound(string detail) => new(StatusCodes.Status404NotFound, "NOT_FOUND", detail);

    public static implicit operator ApiError(ApprovalError error) => From(error);

    /// <summary>400 invalid, 401 unauthenticated, 403 denied, 404 unknown, 409 terminal / second decision / conflict, 503 store down.</summary>
    public static int StatusFor(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.FailedPrecondition or StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.ResourceExhausted => StatusCodes.Status413PayloadTooLarge,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The gRPC status name, e.g. <c>PERMISSION_DENIED</c>.</summary>
    public static string CodeName(StatusCode code)
    {
        var name = code.ToString();
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                text.Append('_');
            }

            text.Append(char.ToUpperInvariant(name[i]));
        }

        return text.ToString();
    }

    public string Title => Status switch
    {
        StatusCodes.Status400BadRequest => "The request is invalid",
        StatusCodes.Status401Unauthorized => "Sign-in required",
        StatusCodes.Status403Forbidden => "Not allowed",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status409Conflict => "The approval cannot take this decision",
        StatusCodes.Status413PayloadTooLarge => "The body is too large",
        StatusCodes.Status415UnsupportedMediaType => "Send JSON",
        StatusCodes.Status503ServiceUnavailable => "The store is unavailable",
        _ => "The request failed",
    };

    public async Task WriteAsync(HttpContext http)
    {
        var response = http.Response;
        response.StatusCode = Status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        if (Status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Bearer realm=\"gate\"";
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "urn:gate:problem:" + Code.ToLowerInvariant().Replace('_', '-'));
            json.WriteString("title", Title);
            json.WriteNumber("status", Status);
            json.WriteString("detail", Detail);
            json.WriteString("code", Code);
            json.WriteString("instance", http.Request.Path.Value);
            json.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), http.RequestAborted).ConfigureAwait(false);
    }
}
