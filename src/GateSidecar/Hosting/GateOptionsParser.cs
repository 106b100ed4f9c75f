using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace GateSidecar.Hosting;

/// <summary>The outcome of reading the options: the options and every problem found (empty when valid).</summary>
internal sealed record GateOptionsResult(GateOptions Options, IReadOnlyList<string> Errors, bool HelpRequested)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Reads <see cref="GateOptions"/> from configuration (e.g. environment variables with the
/// <c>GATE_</c> prefix: <c>GATE_GRPC_PORT</c>, keys <c>GRPC_PORT</c>) and then from the command line
/// (<c>--grpc-port 7070</c> or <c>--grpc-port=7070</c>), which wins. Every error is collected.
/// </summary>
internal static class GateOptionsParser
{
    private delegate GateOptions Apply(GateOptions options, string value, string source, List<string> errors);

    /// <param name="ClearForCommandLine">For a repeatable option: what the first command-line occurrence
    /// clears, so that the command line replaces the configured values instead of adding to them.</param>
    private sealed record Spec(string Name, string Placeholder, string Description, Apply Apply, Func<GateOptions, GateOptions>? ClearForCommandLine = null)
    {
        public string Flag => "--" + Name;

        public string ConfigKey => Name.Replace('-', '_').ToUpperInvariant();
    }

    private static readonly Spec[] Specs =
    [
        new("grpc-port", "PORT", $"gRPC port, HTTP/2 (default {GateOptions.DefaultGrpcPort}; 0 picks a free port)",
            (o, v, s, e) => o with { GrpcPort = Port(v, s, e, o.GrpcPort) }),
        new("http-port", "PORT", $"HTTP/1.1 port for console, JSON API and webhooks (default {GateOptions.DefaultHttpPort}; 0 picks a free port)",
            (o, v, s, e) => o with { HttpPort = Port(v, s, e, o.HttpPort) }),
        new("policy", "FILE", "policy YAML file", (o, v, _, _) => o with { PolicyPath = v }),
        new("approvers", "FILE", "approvers YAML file", (o, v, _, _) => o with { ApproversPath = v }),
        new("store", "sqlite|redis", "where approvals are kept (default sqlite)", (o, v, s, e) => o with { Store = Store(v, s, e, o.Store) }),
        new("sqlite", "PATH", $"SQLite database file, or :memory: (default {GateOptions.DefaultSqlitePath})", (o, v, _, _) => o with { SqlitePath = v }),
        new("sqlite-sync", "full|normal", "full (default): every commit is fsynced before it is acknowledged, surviving power loss; normal: commits survive a crash of the sidecar but not of the machine",
            (o, v, s, e) => o with { SqliteSyncFull = SqliteSync(v, s, e, o.SqliteSyncFull) }),
        new("redis", "HOST:PORT", "Redis endpoint (required with --store redis)", (o, v, _, _) => o with { Redis = v }),
        new("signing-key", "FILE", "PEM file of the EC P-256 signing key (generated beside the database when absent); repeat to keep publishing older keys after a rotation: the first signs",
            (o, v, s, _) => o with { SigningKeyPaths = [.. o.SigningKeyPaths, .. FromSource(v, s)] },
            static o => o with { SigningKeyPaths = [] }),
        new("webhook-secret", "SECRET", "shared secret of signed webhooks", (o, v, _, _) => o with { WebhookSecret = v }),
        new("notifications", "FILE", "YAML file of webhook notifications per pool (docs/webhooks.md)", (o, v, _, _) => o with { NotificationsPath = v }),
        new("console-url", "URL", "the console's address as approvers reach it, for links in notifications",
            (o, v, s, e) => o with { ConsoleUrl = Approvers.Notifications.ConsoleLinks.Validate(v, s, e) }),
        new("listen", "ADDRESS", $"address both ports listen on (default {GateOptions.DefaultListen}); non-loopback requires TLS", (o, v, _, _) => o with { Listen = v }),
        new("tls-cert", "FILE", "PEM certificate served by both ports", (o, v, _, _) => o with { TlsCertPath = v }),
        new("tls-key", "FILE", "PEM private key of --tls-cert", (o, v, _, _) => o with { TlsKeyPath = v }),
        new("tls-client-ca", "FILE", "PEM CA: the gRPC port then requires client certificates it issued", (o, v, _, _) => o with { TlsClientCaPath = v }),
        new("audit-retention", "DURATION", "prune audit entries older than this behind a signed checkpoint, e.g. 90d (default: keep forever)",
            (o, v, s, e) => o with { AuditRetention = Duration(v, s, e, o.AuditRetention) }),
        new("retention", "DURATION", "delete finished approvals older than this, e.g. 30d (default: keep forever with sqlite, 7d with redis)",
            (o, v, s, e) => o with { Retention = Duration(v, s, e, o.Retention) }),
        new("max-message-bytes", "BYTES", "largest gRPC request message (default 4194304)",
            (o, v, s, e) => o with { MaxMessageBytes = Int(v, s, e, o.MaxMessageBytes) }),
        new("outage-auto-pass", "true|false", "let auto-pass calls through while the store is unreachable, their records buffered in memory (default false: fail closed)",
            (o, v, s, e) => o with { OutageAutoPass = Bool(v, s, e, o.OutageAutoPass) }),
        new("log-format", "text|json", "log lines on stderr: text (default) or json (one object per line, with trace ids)",
            (o, v, s, e) => o with { LogFormat = LogFormat(v, s, e, o.LogFormat) }),
    ];

    private static bool Bool(string value, string source, List<string> errors, bool fallback)
    {
        if (bool.TryParse(value, out var parsed))
        {
            return parsed;
        }

        errors.Add($"{source}: '{value}' is not true or false");
        return fallback;
    }

    /// <summary>Reads configuration, then <paramref name="args"/>, then validates the result.</summary>
    public static GateOptionsResult Parse(IReadOnlyList<string> args, IConfiguration? configuration = null)
    {
        var errors = new List<string>();
        var options = new GateOptions();

        if (configuration is not null)
        {
            foreach (var spec in Specs)
            {
                var value = configuration[spec.ConfigKey];
                if (value is not null)
                {
                    options = spec.Apply(options, value, "GATE_" + spec.ConfigKey, errors);
                }
            }
        }

        var help = false;
        var cleared = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                help = true;
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add($"unexpected argument '{arg}': options look like --name value (run with --help for the list)");
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg[2..] : arg[2..equals];
            var spec = Find(name);
            if (spec is null)
            {
                errors.Add($"unknown option '--{name}' (run with --help for the list)");
                continue;
            }

            string value;
            if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                errors.Add($"{spec.Flag} needs a value: {spec.Flag} {spec.Placeholder}");
                continue;
            }

            if (spec.ClearForCommandLine is { } clear && cleared.Add(spec.Name))
            {
                options = clear(options);
            }

            options = spec.Apply(options, value, spec.Flag, errors);
        }

        errors.AddRange(GateOptionsValidator.Validate(options));
        return new GateOptionsResult(options, errors, help);
    }

    /// <summary>The usage text printed by <c>--help</c>.</summary>
    public static string Usage()
    {
        var text = new StringBuilder();
        text.AppendLine("usage: GateSidecar --policy FILE --approvers FILE [options]");
        text.AppendLine();
        foreach (var spec in Specs)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {spec.Flag + " " + spec.Placeholder,-32} {spec.Description}").AppendLine();
        }

        text.AppendLine();
        text.AppendLine("Each option can also be set through the environment: GATE_GRPC_PORT, GATE_POLICY, ... (the command line wins).");
        text.AppendLine("OpenTelemetry export follows OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME,");
        text.AppendLine("OTEL_TRACES_SAMPLER(_ARG) and the other standard OTEL_* variables; nothing is exported without an endpoint.");
        return text.ToString();
    }

    private static Spec? Find(string name)
    {
        foreach (var spec in Specs)
        {
            if (spec.Name == name)
            {
                return spec;
            }
        }

        return null;
    }

    private static int Port(string value, string source, List<string> errors, int fallback)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535)
        {
            return port;
        }

        errors.Add($"{source}: '{value}' is not a port number (0-65535; 0 picks a free port)");
        return fallback;
    }

    private static int Int(string value, string source, List<string> errors, int fallback)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        errors.Add($"{source}: '{value}' is not a whole number of bytes");
        return fallback;
    }

    /// <summary>A command-line value is one path; a configured value may list several, separated like PATH.</summary>
    private static string[] FromSource(string value, string source) =>
        source.StartsWith("--", StringComparison.Ordinal)
            ? [value]
            : value.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static TimeSpan? Duration(string value, string source, List<string> errors, TimeSpan? fallback)
    {
        if (RetentionDuration.TryParse(value, out var duration))
        {
            return duration;
        }

        errors.Add($"{source}: '{value}' is not a positive duration; use a number with a unit (d, h, m, s, ms), combinable: 90d, 36h, 1d12h");
        return fallback;
    }

    private static GateLogFormat LogFormat(string value, string source, List<string> errors, GateLogFormat fallback)
    {
        switch (value.ToLowerInvariant())
        {
            case "text":
                return GateLogFormat.Text;
            case "json":
                return GateLogFormat.Json;
            default:
                errors.Add($"{source}: '{value}' is not a log format; use text or json");
                return fallback;
        }
    }

    private static bool SqliteSync(string value, string source, List<string> errors, bool fallback)
    {
        switch (value.ToLowerInvariant())
        {
            case "full":
                return true;
            case "normal":
                return false;
            default:
                errors.Add($"{source}: '{value}' is not a sqlite sync mode; use full or normal");
                return fallback;
        }
    }

    private static GateStoreKind Store(string value, string source, List<string> errors, GateStoreKind fallback)
    {
        switch (value.ToLowerInvariant())
        {
            case "sqlite":
                return GateStoreKind.Sqlite;
            case "redis":
                return GateStoreKind.Redis;
            default:
                errors.Add($"{source}: '{value}' is not a store; use sqlite or redis");
                return fallback;
        }
    }
}
