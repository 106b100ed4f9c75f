namespace GateSidecar.Hosting;

/// <summary>Where approvals are kept.</summary>
internal enum GateStoreKind
{
    /// <summary>Embedded SQLite file: durable for one sidecar, no server needed.</summary>
    Sqlite,

    /// <summary>Redis: for production and for several sidecars sharing approvals.</summary>
    Redis,
}

/// <summary>How log lines are written to stderr.</summary>
internal enum GateLogFormat
{
    /// <summary>One human-readable line per entry.</summary>
    Text,

    /// <summary>One JSON object per line, with scopes (trace and span ids).</summary>
    Json,
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

    /// <summary>
    /// <c>--sqlite-sync full</c> (true, default): <c>synchronous=FULL</c>, each commit is fsynced before
    /// it is acknowledged. <c>normal</c> (false): <c>synchronous=NORMAL</c> in WAL mode, no fsync on the
    /// request path; acknowledged writes survive a crash of the sidecar, the last ones may be lost
    /// when the machine itself crashes.
    /// </summary>
    public bool SqliteSyncFull { get; init; } = true;

    /// <summary>Redis endpoint as HOST:PORT; required with <see cref="GateStoreKind.Redis"/>.</summary>
    public string? Redis { get; init; }

    /// <summary>
    /// The first <c>--signing-key</c>: PEM file (PKCS#8 or SEC1) of the EC P-256 key that signs tokens
    /// and audit checkpoints. Setting it replaces <see cref="SigningKeyPaths"/> with this one path.
    /// </summary>
    public string? SigningKeyPath
    {
        get => SigningKeyPaths.Count > 0 ? SigningKeyPaths[0] : null;
        init => SigningKeyPaths = value is null ? [] : [value];
    }

    /// <summary>
    /// Every <c>--signing-key</c>, in order (PEM files or directories of them): the first signs, the
    /// others are published in the JWKS for verification only (key rotation). Empty: a key is
    /// generated once beside the embedded database.
    /// </summary>
    public IReadOnlyList<string> SigningKeyPaths { get; init; } = [];

    /// <summary>Audit entries older than this are pruned behind a signed checkpoint; null keeps them forever.</summary>
    public TimeSpan? AuditRetention { get; init; }

    /// <summary>
    /// Finished approvals (and their idempotency keys) older than this are deleted; null keeps them
    /// forever with SQLite and 7 days with Redis.
    /// </summary>
    public TimeSpan? Retention { get; init; }

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

    public GateLogFormat LogFormat { get; init; } = GateLogFormat.Text;

    /// <summary>OpenTelemetry export, from the standard OTEL_* variables (see Telemetry/TelemetryOptionsReader).</summary>
    public Telemetry.TelemetryOptions Telemetry { get; init; } = GateSidecar.Telemetry.TelemetryOptions.Disabled;

    public bool UsesTls => TlsCertPath is not null;
}
