using System.Security.Cryptography;

namespace Gate.LoadTests.Infrastructure;

/// <summary>Where approvals are kept in a run.</summary>
internal enum StoreKind
{
    Sqlite,
    Redis,
}

/// <summary>
/// The sidecars of one scenario: started by the driver (a temp directory with the signing key, the
/// SQLite file or a redis-server with AOF, the logs), or given with --target and left alone.
/// </summary>
internal sealed class Deployment : IAsyncDisposable
{
    private readonly List<SidecarProcess> _processes;
    private readonly RedisProcess? _redis;
    private readonly Measurement.SidecarGcSink? _gcSink;
    private readonly string? _directory;
    private readonly bool _keepFiles;

    private Deployment(IReadOnlyList<Sidecar> sidecars, string description, List<SidecarProcess> processes, RedisProcess? redis, Measurement.SidecarGcSink? gcSink, string? directory, bool keepFiles)
    {
        Sidecars = sidecars;
        Description = description;
        _processes = processes;
        _redis = redis;
        _gcSink = gcSink;
        _directory = directory;
        _keepFiles = keepFiles;
    }

    public IReadOnlyList<Sidecar> Sidecars { get; }

    /// <summary>For reports, e.g. "2 sidecars (Release) on one redis-server 7.0 (AOF, appendfsync everysec)".</summary>
    public string Description { get; }

    public Sidecar this[int index] => Sidecars[index];

    /// <summary>The processes the driver started, by role ("sidecar A", "redis"), for CPU accounting.</summary>
    public IReadOnlyList<(string Name, int Pid)> Processes =>
    [
        .. _processes.Select((p, i) => ($"sidecar {(char)('A' + i)}", p.ProcessId)),
        .. _redis is null ? [] : new[] { ("redis-server", _redis.ProcessId) },
    ];

    /// <summary>
    /// A meter of the CPU time of the driver and of every process it started, and of the
    /// garbage collector of the driver and of every sidecar it started (their metric exports).
    /// </summary>
    public Measurement.CpuMeter CpuMeter() => new(Processes) { GcSink = _gcSink };

    public static Deployment Attach(IReadOnlyList<Uri> grpc, IReadOnlyList<Uri> http, int connections)
    {
        if (grpc.Count == 0)
        {
            throw new ArgumentException("at least one --target is needed", nameof(grpc));
        }

        var sidecars = new List<Sidecar>();
        for (var i = 0; i < grpc.Count; i++)
        {
            sidecars.Add(new Sidecar(((char)('A' + i)).ToString(), grpc[i], i < http.Count ? http[i] : null, connections));
        }

        var description = $"{grpc.Count} running sidecar(s) at {string.Join(", ", grpc)} (not started by the driver)";
        return new Deployment(sidecars, description, [], null, null, null, keepFiles: true);
    }

    public static async Task<Deployment> StartAsync(LaunchSettings settings, string policy, StoreKind store, int count, string label)
    {
        var directory = Path.Combine(settings.WorkDirectory, label + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var keyPath = Path.Combine(directory, "signing-key.pem");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem()).ConfigureAwait(false);
        }

        RedisProcess? redis = null;
        var processes = new List<SidecarProcess>();
        var sidecars = new List<Sidecar>();
        var gcSink = settings.SidecarGc ? Measurement.SidecarGcSink.Start() : null;
        try
        {
            if (store == StoreKind.Redis)
            {
                redis = await RedisProcess.StartAsync(settings.RedisServer, Path.Combine(directory, "redis"), settings.RedisAppendFsync, settings.RedisAofRewriteMinSize, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            }

            var starts = new List<Task<SidecarProcess>>();
            for (var i = 0; i < count; i++)
            {
                var name = ((char)('A' + i)).ToString();
                List<string> arguments =
                [
                    "--grpc-port", "0", "--http-port", "0",
                    "--policy", settings.PolicyPath(policy),
                    "--approvers", settings.ApproversPath,
                    "--signing-key", keyPath,
                    .. store == StoreKind.Redis
                        ? new[] { "--store", "redis", "--redis", redis!.Endpoint }
                        : ["--store", "sqlite", "--sqlite", Path.Combine(directory, "gate.db"), "--sqlite-sync", settings.SqliteSync],
                ];
                // With --sidecar-gc the sidecar exports its metrics to the driver every second (for
                // the garbage collector's figures); --sidecar-env entries win.
                var environment = new Dictionary<string, string>(gcSink?.EnvironmentFor($"sidecar {name}") ?? new Dictionary<string, string>(), StringComparer.Ordinal);
                foreach (var (key, value) in settings.SidecarEnvironment)
                {
                    environment[key] = value;
                }

                starts.Add(SidecarProcess.StartAsync(settings.SidecarDll, arguments, Path.Combine(directory, $"sidecar-{name}.log"), TimeSpan.FromSeconds(60), environment));
            }

            foreach (var start in starts)
            {
                processes.Add(await start.ConfigureAwait(false));
            }

            for (var i = 0; i < processes.Count; i++)
            {
                var p = processes[i];
                sidecars.Add(new Sidecar(((char)('A' + i)).ToString(), p.GrpcAddress, p.HttpAddress, settings.Connections, p.LogPath));
            }
        }
        catch
        {
            foreach (var start in processes)
            {
                await start.DisposeAsync().ConfigureAwait(false);
            }

            if (redis is not null)
            {
                await redis.DisposeAsync().ConfigureAwait(false);
            }

            if (gcSink is not null)
            {
                await gcSink.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        var description = store == StoreKind.Redis
            ? $"{count} sidecar(s), Release build, on one redis-server (AOF on, appendfsync {settings.RedisAppendFsync}{(settings.RedisAofRewriteMinSize is { } minSize ? ", auto-aof-rewrite-min-size " + minSize : string.Empty)}), policy loadtests/policies/{policy}.yaml"
            : $"{count} sidecar(s), Release build, SQLite file store (WAL, synchronous={settings.SqliteSync.ToUpperInvariant()}), policy loadtests/policies/{policy}.yaml";
        if (gcSink is not null)
        {
            description += "; --sidecar-gc: each sidecar exports its metrics to the driver every second (garbage-collector figures; costs the sidecar CPU)";
        }

        if (settings.SidecarEnvironment.Count > 0)
        {
            description += "; sidecar environment " + string.Join(' ', settings.SidecarEnvironment.Select(e => $"{e.Key}={e.Value}"));
        }

        return new Deployment(sidecars, description, processes, redis, gcSink, directory, settings.KeepFiles);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sidecar in Sidecars)
        {
            sidecar.Dispose();
        }

        foreach (var process in _processes)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }

        if (_gcSink is not null)
        {
            await _gcSink.DisposeAsync().ConfigureAwait(false);
        }

        if (_directory is not null && !_keepFiles)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
