namespace Gate.LoadTests.Infrastructure;

/// <summary>Where the driver finds what it starts, and where it keeps their files.</summary>
internal sealed record LaunchSettings(
    string RepositoryRoot,
    string SidecarDll,
    string RedisServer,
    string WorkDirectory,
    string RedisAppendFsync,
    string SqliteSync,
    int Connections,
    bool KeepFiles)
{
    /// <summary><c>--redis-aof-rewrite-min-size</c> for the redis-server the driver starts (e.g. 4gb); null keeps Redis's 64mb.</summary>
    public string? RedisAofRewriteMinSize { get; init; }

    /// <summary>
    /// <c>--sidecar-gc</c>: started sidecars export their metrics to the driver every second, for
    /// the report's rows of their garbage collection. Off by default: metrics cost the sidecar CPU
    /// (docs/perf/experiments.md), and a run measures the sidecar as it is deployed by default.
    /// </summary>
    public bool SidecarGc { get; init; }

    /// <summary><c>--sidecar-env</c> as given: NAME=VALUE entries (checked by the runner before anything starts).</summary>
    public IReadOnlyList<string> SidecarEnv { get; init; } = [];

    /// <summary>Environment variables given to every sidecar the driver starts (runtime settings to compare); the last entry of a name wins.</summary>
    public IReadOnlyDictionary<string, string> SidecarEnvironment =>
        SidecarEnv
            .Select(entry => entry.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);

    public string PolicyPath(string name) => Path.Combine(RepositoryRoot, "loadtests", "policies", name + ".yaml");

    public string ApproversPath => Path.Combine(RepositoryRoot, "loadtests", "approvers.yaml");

    /// <summary>The sidecar the driver starts unless told otherwise: the repository's Release build.</summary>
    public static string DefaultSidecarPath(string repositoryRoot) =>
        Path.Combine(repositoryRoot, "src", "GateSidecar", "bin", "Release", "net10.0", "GateSidecar.dll");

    /// <summary>The repository holding this driver: the first parent of the binary with Approvals.sln.</summary>
    public static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Approvals.sln")))
            {
                return dir.FullName;
            }
        }

        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Approvals.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
