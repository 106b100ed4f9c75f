using Gate.Client;
using GateSidecar.Approvals;

namespace GateSidecar.Transport.Services;

/// <summary>The one place that turns expected failures into gRPC status codes.</summary>
internal static class ErrorMapping
{
    public static StatusCode ToStatus(ApprovalErrorKind kind) => kind switch
    {
        ApprovalErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        ApprovalErrorKind.NotFound => StatusCode.NotFound,
        ApprovalErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        ApprovalErrorKind.PermissionDenied => StatusCode.PermissionDenied,
        ApprovalErrorKind.Unauthenticated => StatusCode.Unauthenticated,
        ApprovalErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        ApprovalErrorKind.Unavailable => StatusCode.Unavailable,
        ApprovalErrorKind.Aborted => StatusCode.Aborted,
        _ => StatusCode.Internal,
    };

    public static RpcException ToException(ApprovalError error) => new(ToStatus(error.Kind), error.Message);

    /// <summary>The value, or the error thrown as an <see cref="RpcException"/> for the transport to map.</summary>
    public static T Unwrap<T>(Result<T> result) => result.Ok ? result.Value! : throw ToException(result.Error!);
}
