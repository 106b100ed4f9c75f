namespace Gate.Client;

/// <summary>Per-call options: deadline, request metadata and cancellation.</summary>
public readonly record struct CallOptions
{
    /// <summary>Creates options with a deadline, metadata and a cancellation token.</summary>
    public CallOptions(DateTimeOffset? deadline = null, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        Deadline = deadline;
        Headers = headers;
        CancellationToken = cancellationToken;
    }

    /// <summary>
    /// When the call must be over. Sent as <c>grpc-timeout</c> and enforced by the client too: a call
    /// still running then fails with <see cref="StatusCode.DeadlineExceeded"/>.
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>
    /// How long the call may take, counted from its start. Combined with <see cref="Deadline"/>, the
    /// earlier of the two applies.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Request metadata sent as HTTP/2 headers, e.g. <c>authorization</c> or <c>traceparent</c>.</summary>
    public IEnumerable<KeyValuePair<string, string>>? Headers { get; init; }

    /// <summary>Cancels the call; it then fails with <see cref="StatusCode.Cancelled"/>.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Options whose call may take at most <paramref name="timeout"/>.</summary>
    public static CallOptions WithTimeout(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        new() { Timeout = timeout, CancellationToken = cancellationToken };
}
