using Gate.Client;
using Microsoft.AspNetCore.Http;

namespace GateSidecar.Transport;

/// <summary>Answers every call with UNIMPLEMENTED and a fixed message (placeholders and unknown methods).</summary>
internal sealed class UnimplementedMethodHandler : GrpcMethodHandler
{
    private readonly string _detail;

    public UnimplementedMethodHandler(string path, string detail, GrpcServerRuntime runtime)
        : base(path, runtime)
    {
        _detail = detail;
    }

    public override Task HandleAsync(HttpContext http) => GrpcCallCompletion.CompleteAsync(http, StatusCode.Unimplemented, _detail);
}
