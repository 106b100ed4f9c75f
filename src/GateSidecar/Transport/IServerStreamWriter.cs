namespace GateSidecar.Transport;

/// <summary>Writes the messages of a server stream, one frame each, flushed.</summary>
internal interface IServerStreamWriter<in T>
{
    ValueTask WriteAsync(T message, CancellationToken cancellationToken = default);
}

/// <summary>Reads the messages of a client stream (duplex calls such as reflection).</summary>
internal interface IAsyncStreamReader<T>
{
    /// <summary>Moves to the next message; false at the end of the request stream.</summary>
    ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default);

    T Current { get; }
}
