namespace Gate.Client;

/// <summary>The gRPC status codes (grpc/grpc doc/statuscodes.md).</summary>
public enum StatusCode
{
    /// <summary>Not an error.</summary>
    OK = 0,
    /// <summary>The operation was cancelled, typically by the caller.</summary>
    Cancelled = 1,
    /// <summary>Unknown error.</summary>
    Unknown = 2,
    /// <summary>The request is malformed; the message says what to fix.</summary>
    InvalidArgument = 3,
    /// <summary>The deadline expired before the operation completed.</summary>
    DeadlineExceeded = 4,
    /// <summary>The approval (or other entity) does not exist.</summary>
    NotFound = 5,
    /// <summary>The entity already exists (for example a token reported twice).</summary>
    AlreadyExists = 6,
    /// <summary>The caller may not do this (outside the pool, self-approval, wrong arguments).</summary>
    PermissionDenied = 7,
    /// <summary>A resource limit was hit (for example a message over the size limit).</summary>
    ResourceExhausted = 8,
    /// <summary>The system is not in a state that allows the operation (for example a terminal approval).</summary>
    FailedPrecondition = 9,
    /// <summary>The operation was aborted, typically by a concurrency conflict.</summary>
    Aborted = 10,
    /// <summary>Out of the valid range.</summary>
    OutOfRange = 11,
    /// <summary>The method is not implemented or not supported.</summary>
    Unimplemented = 12,
    /// <summary>Internal error.</summary>
    Internal = 13,
    /// <summary>The service is unavailable (for example the store is unreachable); retry later.</summary>
    Unavailable = 14,
    /// <summary>Unrecoverable data loss.</summary>
    DataLoss = 15,
    /// <summary>Missing or unknown credentials.</summary>
    Unauthenticated = 16,
}
