using System.Globalization;
using System.Net;

namespace GateSidecar.Hosting;

/// <summary>Checks <see cref="GateOptions"/> and reports every problem at once, each saying what to fix.</summary>
internal static class GateOptionsValidator
{
    public const int MaxMessageBytesCeiling = 1024 * 1024 * 1024;

    public static IReadOnlyList<string> Validate(GateOptions options)
    {
        var errors = new List<string>();

        if (options.GrpcPort is < 0 or > 65535)
        {
            errors.Add($"--grpc-port {options.GrpcPort} is not a port number (0-65535)");
        }

        if (options.HttpPort is < 0 or > 65535)
        {
            errors.Add($"--http-port {options.HttpPort} is not a port number (0-65535)");
        }

        if (options.GrpcPort != 0 && options.GrpcPort == options.HttpPort)
        {
            errors.Add($"--grpc-port and --http-port are both {options.GrpcPort}: give them different ports");
        }

        FileMustExist(options.PolicyPath, "--policy", errors);
        FileMustExist(options.ApproversPath, "--approvers", errors);
        foreach (var keyPath in options.SigningKeyPaths)
        {
            if (!File.Exists(keyPath) && !Directory.Exists(keyPath))
            {
                errors.Add($"--signing-key {keyPath}: no such file or directory");
            }
        }

        if (string.IsNullOrWhiteSpace(options.SqlitePath))
        {
            errors.Add("--sqlite is empty: give a file path, or :memory: for a throw-away database");
        }

        if (options.Store == GateStoreKind.Redis && string.IsNullOrWhiteSpace(options.Redis))
        {
            errors.Add("--store redis needs --redis HOST:PORT");
        }

        if (!string.IsNullOrWhiteSpace(options.Redis) && !IsHostAndPort(options.Redis))
        {
            errors.Add($"--redis '{options.Redis}' is not HOST:PORT (e.g. 127.0.0.1:6379)");
        }

        if (options.MaxMessageBytes is <= 0 or > MaxMessageBytesCeiling)
        {
            errors.Add($"--max-message-bytes {options.MaxMessageBytes} is out of range: use 1 to {MaxMessageBytesCeiling}");
        }

        ValidateListenAndTls(options, errors);
        return errors;
    }

    /// <summary>Parses <c>--listen</c>: an IPv4/IPv6 address, or <c>localhost</c> (loopback).</summary>
    public static bool TryParseListen(string value, out IPAddress address)
    {
        if (string.Equals(value, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
            return true;
        }

        return IPAddress.TryParse(value.Trim('[', ']'), out address!);
    }

    private static void ValidateListenAndTls(GateOptions options, List<string> errors)
    {
        var hasCert = options.TlsCertPath is not null;
        var hasKey = options.TlsKeyPath is not null;
        if (hasCert != hasKey)
        {
            errors.Add(hasCert
                ? "--tls-cert needs its private key: add --tls-key FILE"
                : "--tls-key needs its certificate: add --tls-cert FILE");
        }

        if (options.TlsClientCaPath is not null && !hasCert)
        {
            errors.Add("--tls-client-ca requires TLS: add --tls-cert FILE --tls-key FILE");
        }

        if (!TryParseListen(options.Listen, out var address))
        {
            errors.Add($"--listen '{options.Listen}' is not an IP address (e.g. 127.0.0.1, ::1 or 0.0.0.0)");
        }
        else if (!IPAddress.IsLoopback(address) && !hasCert)
        {
            errors.Add($"--listen {options.Listen} is not a loopback address: serving beyond this host requires TLS; add --tls-cert FILE --tls-key FILE");
        }

        if (hasCert && hasKey && File.Exists(options.TlsCertPath) && File.Exists(options.TlsKeyPath)
            && (options.TlsClientCaPath is null || File.Exists(options.TlsClientCaPath)))
        {
            try
            {
                using var material = GateTlsMaterial.Load(options);
            }
            catch (GateTlsException ex)
            {
                errors.Add(ex.Message);
            }
        }
        else
        {
            FileMustExist(options.TlsCertPath, "--tls-cert", errors);
            FileMustExist(options.TlsKeyPath, "--tls-key", errors);
            FileMustExist(options.TlsClientCaPath, "--tls-client-ca", errors);
        }
    }

    private static void FileMustExist(string? path, string flag, List<string> errors)
    {
        if (path is not null && !File.Exists(path))
        {
            errors.Add($"{flag} {path}: no such file");
        }
    }

    private static bool IsHostAndPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0
            && colon < value.Length - 1
            && int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535;
    }
}
