using Gate.Client;
using GateSidecar.Approvals;

namespace GateSidecar.Transport.Services;

/// <summary>Turns expected failures (values) into the exception the transport maps to a gRPC status.</summary>
internal static class ErrorMapping
{
    public static RpcException ToException(ApprovalError error) => new(error.Status, error.Message);

    /// <summary>The value, or the error thrown as an <see cref="RpcException"/> for the transport to map.</summary>
    public static T Unwrap<T>(Result<T> result) => result.Ok ? result.Value! : throw ToException(result.Error!);
}
