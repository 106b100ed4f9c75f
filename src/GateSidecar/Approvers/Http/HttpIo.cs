using System.Buffers;
using System.Globalization;
using System.Text;
using GateSidecar.Approvals;
using Google.Protobuf;

namespace GateSidecar.Approvers.Http;

/// <summary>Reading bodies and query parameters, writing JSON: the small plumbing every endpoint shares.</summary>
internal static class HttpIo
{
    /// <summary>Decisions and batches are small; anything bigger is a mistake.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public static Task WriteMessageAsync(HttpContext http, IMessage message) => WriteJsonAsync(http, ProtoJson.Api.Format(message));

    public static async Task WriteJsonAsync(HttpContext http, string json, int status = StatusCodes.Status200OK)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsync(json, Encoding.UTF8, http.RequestAborted).ConfigureAwait(false);
    }

    public static Task WriteJsonAsync(HttpContext http, byte[] utf8Json)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.Body.WriteAsync(utf8Json, http.RequestAborted).AsTask();
    }

    /// <summary>The raw body, refused when it is not JSON or larger than <see cref="MaxBodyBytes"/>.</summary>
    public static async Task<(byte[]? Body, ApiError? Error)> ReadJsonBodyAsync(HttpContext http)
    {
        var request = http.Request;
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, new ApiError(StatusCodes.Status415UnsupportedMediaType, "INVALID_ARGUMENT", $"send the body as JSON with 'Content-Type: application/json' (got '{request.ContentType ?? "none"}')"));
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, TooLarge());
        }

        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return (null, TooLarge());
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.Length == 0 ? (null, ApiError.Invalid("the body is empty: send a JSON object")) : (buffer.ToArray(), null);
    }

    /// <summary>A query parameter by its snake_case name or its lowerCamelCase alias.</summary>
    public static string? Query(HttpContext http, string name, string? alias = null)
    {
        var query = http.Request.Query;
        if (query.TryGetValue(name, out var value) && value.Count > 0)
        {
            return value[0];
        }

        return alias is not null && query.TryGetValue(alias, out value) && value.Count > 0 ? value[0] : null;
    }

    public static Result<int> QueryInt(HttpContext http, string name, string? alias, int fallback, int min, int max)
    {
        var text = Query(http, name, alias);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : ApprovalError.Invalid($"{name} must be a whole number from {min} to {max} (got '{text}')");
    }

    /// <summary>A time as RFC 3339 (<c>2026-11-21T10:00:00Z</c>), or a duration back from now (<c>24h</c>, <c>7d</c>).</summary>
    public static Result<DateTimeOffset> QuerySince(HttpContext http, DateTimeOffset now, TimeSpan fallback)
    {
        var text = Query(http, "since");
        if (string.IsNullOrEmpty(text))
        {
            return now - fallback;
        }

        if (text.Length > 1 && text[^1] == 'd' && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days <= 3660)
        {
            return now - TimeSpan.FromDays(days);
        }

        if (Policy.Loading.PolicyDuration.TryParse(text, out var back))
        {
            return now - back;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : ApprovalError.Invalid($"since must be a time such as 2026-11-21T10:00:00Z or a span back from now such as 24h or 7d (got '{text}')");
    }

    private static ApiError TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, "RESOURCE_EXHAUSTED", $"the body is larger than {MaxBodyBytes / 1024} KiB; decisions carry at most the arguments to execute");
}
