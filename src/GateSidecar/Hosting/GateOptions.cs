namespace GateSidecar.Hosting;

/// <summary>Where approvals are kept.</summary>
internal enum GateStoreKind
{
    /// <summary>Embedded SQLite file: durable for one sidecar, no server needed.</summary>
    Sqlite,

    /// <summary>Redis: for production and for several sidecars sharing approvals.</summary>
    Redis,
}

/// <summary>
/// How the sidecar runs: the contract flags (SPEC §8), each also settable through configuration
/// and environment (<c>GATE_GRPC_PORT</c>, ...). Built by <see cref="GateOptionsParser"/>; checked by
/// <see cref="GateOptionsValidator"/>.
/// </summary>
internal sealed record GateOptions
{
    public const int DefaultGrpcPort = 7070;
    public const int DefaultHttpPort = 7080;
    public const string DefaultSqlitePath = "./.gate/gate.db";
    public const string DefaultListen = "127.0.0.1";

    /// <summary>gRPC port (HTTP/2 only); 0 picks a free port.</summary>
    public int GrpcPort { get; init; } = DefaultGrpcPort;

    /// <summary>HTTP/1.1 port (console, JSON API, webhooks, health); 0 picks a free port.</summary>
    public int HttpPort { get; init; } = DefaultHttpPort;

    /// <summary>The policy YAML file.</summary>
    public string? PolicyPath { get; init; }

    /// <summary>The approvers YAML file.</summary>
    public string? ApproversPath { get; init; }

    public GateStoreKind Store { get; init; } = GateStoreKind.Sqlite;

    /// <summary>SQLite database file, or <c>:memory:</c> for throw-away runs.</summary>
    public string SqlitePath { get; init; } = DefaultSqlitePath;

    /// <summary>Redis endpoint as HOST:PORT; required with <see cref="GateStoreKind.Redis"/>.</summary>
    public string? Redis { get; init; }

    /// <summary>PEM file of the EC P-256 token signing key (PKCS#8 or SEC1).</summary>
    public string? SigningKeyPath { get; init; }

    /// <summary>Shared secret of signed webhooks.</summary>
    public string? WebhookSecret { get; init; }

    /// <summary>YAML file of outbound notification targets per pool (see docs/webhooks.md).</summary>
    public string? NotificationsPath { get; init; }

    /// <summary>The console's address as approvers reach it, for links in notifications.</summary>
    public string? ConsoleUrl { get; init; }

    /// <summary>The address both ports listen on; anything but loopback requires TLS.</summary>
    public string Listen { get; init; } = DefaultListen;

    /// <summary>PEM certificate (chain) served by both ports.</summary>
    public string? TlsCertPath { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertPath"/>.</summary>
    public string? TlsKeyPath { get; init; }

    /// <summary>PEM CA certificate(s); when set, the gRPC port requires client certificates issued by them.</summary>
    public string? TlsClientCaPath { get; init; }

    /// <summary>Largest gRPC request message, in bytes.</summary>
    /// <summary>Let auto-pass calls through during a store outage (records buffered in memory). Off: fail closed.</summary>
    public bool OutageAutoPass { get; init; }

    public int MaxMessageBytes { get; init; } = Transport.GrpcProtocol.DefaultMaxMessageBytes;

    public bool UsesTls => TlsCertPath is not null;
}
