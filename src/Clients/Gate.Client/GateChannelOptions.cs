using System.Net.Http;

namespace Gate.Client;

/// <summary>Settings of a <see cref="GateChannel"/>.</summary>
public sealed class GateChannelOptions
{
    /// <summary>The default limit of a received message: 4 MiB, as on the server.</summary>
    public const int DefaultMaxReceiveMessageBytes = 4 * 1024 * 1024;

    /// <summary>Largest response message accepted; larger ones fail the call with <see cref="StatusCode.ResourceExhausted"/>.</summary>
    public int MaxReceiveMessageBytes { get; set; } = DefaultMaxReceiveMessageBytes;

    /// <summary>Largest request message sent; null for no client-side limit (the server still applies its own).</summary>
    public int? MaxSendMessageBytes { get; set; }

    /// <summary>Adjusts the <see cref="SocketsHttpHandler"/> the channel creates (TLS options, client certificates, timeouts).</summary>
    public Action<SocketsHttpHandler>? ConfigureHandler { get; set; }

    /// <summary>
    /// A handler to use instead of the channel's own <see cref="SocketsHttpHandler"/>; it is not
    /// disposed with the channel.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>The clock deadlines are measured with.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
