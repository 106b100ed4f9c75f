using System.Collections.Frozen;
using Gate.Client;
using GateSidecar.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace GateSidecar.Transport;

/// <summary>
/// The gRPC port's request entry point: checks the HTTP envelope, then hands the call to its
/// method's handler through one frozen path lookup.
/// </summary>
internal sealed class GrpcDispatcher
{
    // Kestrel's default request body limit; above it a unary message could be refused by Kestrel
    // rather than by the configured message limit.
    private const long KestrelDefaultBodyLimit = 30_000_000;

    private readonly FrozenDictionary<string, GrpcMethodHandler> _routes;
    private readonly FrozenSet<string> _services;
    private readonly FrozenDictionary<string, RpcMethodName> _spanNames;
    private readonly GrpcServerRuntime _runtime;
    private readonly bool _liftBodyLimitForAll;

    public GrpcDispatcher(IDictionary<string, GrpcMethodHandler> routes, IEnumerable<string> services, GrpcServerRuntime runtime)
    {
        _routes = routes.ToFrozenDictionary(StringComparer.Ordinal);
        _services = services.ToFrozenSet(StringComparer.Ordinal);
        _spanNames = routes.Keys.ToFrozenDictionary(static path => path, RpcMethodName.FromPath, StringComparer.Ordinal);
        _runtime = runtime;
        _liftBodyLimitForAll = runtime.MaxMessageBytes + (long)GrpcProtocol.FrameHeaderSize > KestrelDefaultBodyLimit;
    }

    /// <summary>The registered paths, e.g. <c>/grpc.health.v1.Health/Check</c>.</summary>
    public IEnumerable<string> Paths => _routes.Keys;

    public Task DispatchAsync(HttpContext http)
    {
        var request = http.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            http.Response.Headers.Allow = "POST";
            return Task.CompletedTask;
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            GrpcServerLog.UnsupportedContentType(_runtime.Logger, request.Path.Value ?? string.Empty, request.ContentType);
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return Task.CompletedTask;
        }

        var path = request.Path.Value ?? string.Empty;
        if (!_routes.TryGetValue(path, out var handler))
        {
            GrpcServerLog.UnknownMethod(_runtime.Logger, path);
            return GrpcCallCompletion.CompleteAsync(http, StatusCode.Unimplemented, DescribeUnknown(path));
        }

        if (handler.ReadsRequestStream || _liftBodyLimitForAll)
        {
            // A request stream may outlive any fixed byte budget; each message is still capped.
            var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (limit is { IsReadOnly: false })
            {
                limit.MaxRequestBodySize = null;
            }
        }

        http.Response.Headers.ContentType = GrpcProtocol.ContentTypeValue;
        return GrpcServerTracing.Enabled ? GrpcServerTracing.TraceAsync(http, handler, _spanNames[path]) : handler.HandleAsync(http);
    }

    private string DescribeUnknown(string path)
    {
        var slash = path.LastIndexOf('/');
        if (path.Length < 3 || path[0] != '/' || slash <= 1 || slash == path.Length - 1)
        {
            return $"'{path}' is not a gRPC method path; expected /<package>.<Service>/<Method>";
        }

        var service = path[1..slash];
        return _services.Contains(service)
            ? $"unknown method {path[(slash + 1)..]} of service {service}"
            : $"unknown service {service}";
    }
}
