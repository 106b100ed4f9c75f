namespace GateSidecar.Transport;

/// <summary>Writes the messages of a server stream, one frame each.</summary>
internal interface IServerStreamWriter<in T>
{
    ValueTask WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Frames a message without sending it yet, so a burst leaves in one flush. The caller must
    /// <see cref="FlushAsync"/> before it waits for anything else.
    /// </summary>
    void WriteBuffered(T message);

    /// <summary>Sends what <see cref="WriteBuffered"/> framed.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}

/// <summary>Reads the messages of a client stream (duplex calls such as reflection).</summary>
internal interface IAsyncStreamReader<T>
{
    /// <summary>Moves to the next message; false at the end of the request stream.</summary>
    ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default);

    T Current { get; }
}
