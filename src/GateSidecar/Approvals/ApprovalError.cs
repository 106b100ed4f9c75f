namespace GateSidecar.Approvals;

/// <summary>Why a request could not be applied. Expected outcomes are values, not exceptions.</summary>
internal enum ApprovalErrorKind
{
    InvalidArgument,
    NotFound,
    FailedPrecondition,
    PermissionDenied,
    Unauthenticated,
    AlreadyExists,
    Unavailable,
    Aborted,
}

/// <summary>An expected failure with a message a person can act on.</summary>
internal sealed record ApprovalError(ApprovalErrorKind Kind, string Message)
{
    public static ApprovalError Invalid(string message) => new(ApprovalErrorKind.InvalidArgument, message);

    public static ApprovalError NotFound(string approvalId) =>
        new(ApprovalErrorKind.NotFound, $"approval '{approvalId}' does not exist (check the id; finished approvals may have been pruned by retention)");

    public static ApprovalError Precondition(string message) => new(ApprovalErrorKind.FailedPrecondition, message);

    public static ApprovalError Denied(string message) => new(ApprovalErrorKind.PermissionDenied, message);

    public static ApprovalError Unavailable(string message) => new(ApprovalErrorKind.Unavailable, message);

    /// <summary>The gRPC status of this error: the one mapping every channel (gRPC, HTTP, batch results) uses.</summary>
    public Gate.Client.StatusCode Status => Kind switch
    {
        ApprovalErrorKind.InvalidArgument => Gate.Client.StatusCode.InvalidArgument,
        ApprovalErrorKind.NotFound => Gate.Client.StatusCode.NotFound,
        ApprovalErrorKind.FailedPrecondition => Gate.Client.StatusCode.FailedPrecondition,
        ApprovalErrorKind.PermissionDenied => Gate.Client.StatusCode.PermissionDenied,
        ApprovalErrorKind.Unauthenticated => Gate.Client.StatusCode.Unauthenticated,
        ApprovalErrorKind.AlreadyExists => Gate.Client.StatusCode.AlreadyExists,
        ApprovalErrorKind.Unavailable => Gate.Client.StatusCode.Unavailable,
        ApprovalErrorKind.Aborted => Gate.Client.StatusCode.Aborted,
        _ => Gate.Client.StatusCode.Internal,
    };
}

/// <summary>Either a value or an <see cref="ApprovalError"/>.</summary>
internal readonly struct Result<T>
{
    private Result(T? value, ApprovalError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ApprovalError? Error { get; }

    public bool Ok => Error is null;

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(ApprovalError error) => new(default, error);
}
