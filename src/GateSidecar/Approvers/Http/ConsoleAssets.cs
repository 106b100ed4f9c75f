using System.Collections.Frozen;
using System.Security.Cryptography;

namespace GateSidecar.Approvers.Http;

/// <summary>
/// Serves the console (<c>Approvers/Console/</c>, embedded in the assembly as <c>console/&lt;file&gt;</c>):
/// <c>GET /</c> is the page, <c>GET /console/&lt;file&gt;</c> its scripts and styles. Nothing is loaded from
/// elsewhere, and the content security policy says so to the browser.
/// </summary>
internal sealed class ConsoleAssets
{
    public const string ResourcePrefix = "console/";

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private readonly FrozenDictionary<string, Asset> _assets;

    public ConsoleAssets()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var file = name[ResourcePrefix.Length..];
            assets[file] = new Asset(bytes, ContentTypeOf(file), "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<string> Files => _assets.Keys;

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/", ["GET", "HEAD"], http => ServeAsync(http, "index.html"));
        routes.MapMethods("/console/{file}", ["GET", "HEAD"], http => ServeAsync(http, http.Request.RouteValues["file"] as string ?? string.Empty));
    }

    private Task ServeAsync(HttpContext http, string file)
    {
        var response = http.Response;
        if (!_assets.TryGetValue(file, out var asset))
        {
            return ApiError.NotFound($"the console has no file '{file}'").WriteAsync(http);
        }

        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.CacheControl = "no-cache";
        response.Headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        return response.Body.WriteAsync(asset.Bytes, http.RequestAborted).AsTask();
    }

    private static string ContentTypeOf(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
