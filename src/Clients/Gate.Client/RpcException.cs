namespace Gate.Client;

/// <summary>
/// A gRPC call that ended with a status other than <see cref="StatusCode.OK"/>.
/// Thrown by the client for a failed call, and by server handlers to end a call with a status.
/// </summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates an exception for <paramref name="status"/> with a message a person can act on.</summary>
    public RpcException(StatusCode status, string detail)
        : base($"{status}: {detail}")
    {
        Status = status;
        Detail = detail;
    }

    /// <summary>The gRPC status code.</summary>
    public StatusCode Status { get; }

    /// <summary>The decoded <c>grpc-message</c>.</summary>
    public string Detail { get; }
}
