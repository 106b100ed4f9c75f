namespace GateSidecar.Transport;

/// <summary>Limits of the gRPC transport.</summary>
internal sealed class GrpcTransportOptions
{
    /// <summary>Largest request message accepted, in bytes; larger ones end with RESOURCE_EXHAUSTED.</summary>
    public int MaxMessageBytes { get; init; } = GrpcProtocol.DefaultMaxMessageBytes;
}
