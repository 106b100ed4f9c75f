using System.Security.Cryptography;
using System.Text;

namespace GateSidecar.Policy;

/// <summary>
/// Holds the policy in force and swaps in valid changes of its file. An invalid initial file throws
/// <see cref="PolicyLoadException"/> (the process must not start); an invalid change is logged, counted and
/// ignored, and the previous policy stays. Changes are noticed by a <see cref="FileSystemWatcher"/> (debounced)
/// and by polling, which also covers file systems that raise no events. A change must carry a new
/// <c>version</c>: two different rule sets never share one.
/// </summary>
internal sealed class PolicyProvider : IDisposable
{
    internal static readonly TimeSpan DebounceDelay = TimeSpan.FromMilliseconds(250);
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly string _path;
    private readonly string _fileName;
    private readonly ILogger<PolicyProvider> _logger;
    private readonly FileSystemWatcher? _watcher;
    private readonly ITimer _debounce;
    private readonly ITimer _poll;
    private readonly Lock _gate = new();
    private volatile CompiledPolicy _current;
    private volatile string? _lastReloadError;
    private byte[] _hashInForce;
    private byte[] _hashLastSeen;
    private long _reloadFailures;
    private bool _disposed;

    public PolicyProvider(string path, TimeProvider time, ILogger<PolicyProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _path = Path.GetFullPath(path);
        _fileName = Path.GetFileName(_path);
        _logger = logger;

        byte[] content;
        try
        {
            content = File.ReadAllBytes(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyLoadException(path, [$"{path}: cannot read the policy file: {e.Message}"]);
        }

        var result = PolicyLoader.LoadYaml(Decode(content), path);
        if (result.Policy is null)
        {
            throw new PolicyLoadException(path, result.Errors);
        }

        _current = result.Policy;
        _hashInForce = _hashLastSeen = SHA256.HashData(content);
        PolicyLog.PolicyLoaded(_logger, _current.Version, _path, _current.Rules.Count);

        _debounce = time.CreateTimer(static state => ((PolicyProvider)state!).ReloadFromTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _poll = time.CreateTimer(static state => ((PolicyProvider)state!).ReloadFromTimer(), this, PollInterval, PollInterval);
        _watcher = StartWatcher();
    }

    /// <summary>The policy in force. Read it once per call and evaluate against that instance.</summary>
    public CompiledPolicy Current => _current;

    /// <summary>Raised after a new policy was swapped in, on the thread that noticed the change.</summary>
    public event Action<CompiledPolicy>? Changed;

    /// <summary>All errors of the last rejected change, one per line; null once a check finds the file valid.</summary>
    public string? LastReloadError => _lastReloadError;

    public long ReloadFailures => Interlocked.Read(ref _reloadFailures);

    /// <summary>Checks the file now; true when a new policy was swapped in. The watcher and the poll call this too.</summary>
    public bool Reload()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            byte[] content;
            try
            {
                content = File.ReadAllBytes(_path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _hashLastSeen = [];
                var error = $"{_path}: cannot read the policy file: {e.Message}";
                if (error != _lastReloadError)
                {
                    Reject([error]);
                }

                return false;
            }

            var hash = SHA256.HashData(content);
            if (hash.AsSpan().SequenceEqual(_hashLastSeen))
            {
                return false;
            }

            _hashLastSeen = hash;
            if (hash.AsSpan().SequenceEqual(_hashInForce))
            {
                _lastReloadError = null;
                return false;
            }

            var result = PolicyLoader.LoadYaml(Decode(content), _path);
            if (result.Policy is null)
            {
                Reject(result.Errors);
                return false;
            }

            var previous = _current;
            if (result.Policy.Version == previous.Version)
            {
                Reject([$"{_path}: key 'version': '{previous.Version}' is already in force with different content; give the changed policy a new version"]);
                return false;
            }

            _current = result.Policy;
            _hashInForce = hash;
            _lastReloadError = null;
            PolicyLog.PolicyReloaded(_logger, result.Policy.Version, _path, result.Policy.Rules.Count, previous.Version);
            RaiseChanged(result.Policy);
            return true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _watcher?.Dispose();
        _debounce.Dispose();
        _poll.Dispose();
    }

    // A BOM is not part of the YAML.
    private static string Decode(byte[] content) =>
        content.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.GetString(content, 3, content.Length - 3) : Encoding.UTF8.GetString(content);

    private void Reject(IReadOnlyList<string> errors)
    {
        Interlocked.Increment(ref _reloadFailures);
        var text = string.Join('\n', errors);
        _lastReloadError = text;
        PolicyLog.PolicyReloadFailed(_logger, _path, _current.Version, errors.Count, text);
    }

    private void RaiseChanged(CompiledPolicy policy)
    {
        var handlers = Changed;
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action<CompiledPolicy>)handler)(policy);
            }
            catch (Exception e)
            {
                PolicyLog.PolicyChangedHandlerFailed(_logger, policy.Version, e);
            }
        }
    }

    private void ReloadFromTimer()
    {
        try
        {
            Reload();
        }
        catch (Exception e)
        {
            // A timer callback must never take the process down; the next poll tries again.
            PolicyLog.PolicyReloadCrashed(_logger, _path, e);
        }
    }

    private FileSystemWatcher? StartWatcher()
    {
        try
        {
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += OnFileEvent;
            watcher.Created += OnFileEvent;
            watcher.Deleted += OnFileEvent;
            watcher.Renamed += OnFileEvent;
            watcher.Error += (_, e) => PolicyLog.PolicyWatchFailed(_logger, _path, PollInterval, e.GetException());
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            PolicyLog.PolicyWatchFailed(_logger, _path, PollInterval, e);
            return null;
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        // Editors save through a temporary file and a rename; Kubernetes swaps a "..data" symlink.
        var relevant = e.Name == _fileName
            || (e is RenamedEventArgs renamed && renamed.OldName == _fileName)
            || (e.Name?.StartsWith("..", StringComparison.Ordinal) ?? false);
        if (!relevant)
        {
            return;
        }

        try
        {
            _debounce.Change(DebounceDelay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // An event raced with Dispose: nothing left to reload.
        }
    }
}
