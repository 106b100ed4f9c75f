using System.Collections.Concurrent;
using System.Threading.Channels;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace GateSidecar.Transport.Health;

/// <summary>
/// The serving status reported by <c>grpc.health.v1.Health</c>: one for the server as a whole
/// (the empty service name) and one per service. Anything may set a status (e.g. NOT_SERVING while
/// the store is unreachable); once the application starts stopping every status reads NOT_SERVING.
/// </summary>
internal sealed class HealthStatusService
{
    /// <summary>The name that stands for the server as a whole.</summary>
    public const string Server = "";

    private readonly ConcurrentDictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly List<HealthWatch> _watches = [];
    private readonly Lock _lock = new();
    private bool _stopping;

    public HealthStatusService()
    {
        _statuses[Server] = ServingStatus.Serving;
        _statuses["gate.v1.Gate"] = ServingStatus.Serving;
        _statuses["gate.v1.Approvals"] = ServingStatus.Serving;
        _statuses["gate.v1.Audit"] = ServingStatus.Serving;
    }

    /// <summary>True once the application has started stopping.</summary>
    public bool IsStopping => Volatile.Read(ref _stopping);

    /// <summary>Sets the status of <paramref name="service"/> ("" for the whole server) and tells its watchers.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (status is ServingStatus.ServiceUnknown)
        {
            throw new ArgumentException("SERVICE_UNKNOWN is what a watcher of an unregistered service sees; it cannot be set", nameof(status));
        }

        lock (_lock)
        {
            _statuses[service] = _stopping ? ServingStatus.NotServing : status;
            Notify(service);
        }
    }

    /// <summary>The current status; false for a service that was never registered.</summary>
    public bool TryGetStatus(string service, out ServingStatus status) => _statuses.TryGetValue(service, out status);

    /// <summary>Every status becomes NOT_SERVING, for good: the application is stopping.</summary>
    internal void MarkStopping()
    {
        lock (_lock)
        {
            _stopping = true;
            foreach (var service in _statuses.Keys)
            {
                _statuses[service] = ServingStatus.NotServing;
            }

            foreach (var watch in _watches)
            {
                watch.Publish(_statuses.GetValueOrDefault(watch.Service, ServingStatus.NotServing));
            }
        }
    }

    /// <summary>Starts watching <paramref name="service"/>: the current status first, then each change.</summary>
    internal HealthWatch Watch(string service)
    {
        var watch = new HealthWatch(this, service);
        lock (_lock)
        {
            _watches.Add(watch);
            watch.Publish(_statuses.TryGetValue(service, out var status) ? status : ServingStatus.ServiceUnknown);
        }

        return watch;
    }

    internal void Unwatch(HealthWatch watch)
    {
        lock (_lock)
        {
            _watches.Remove(watch);
        }
    }

    private void Notify(string service)
    {
        var status = _statuses[service];
        foreach (var watch in _watches)
        {
            if (watch.Service == service)
            {
                watch.Publish(status);
            }
        }
    }
}

/// <summary>One watcher's view: only the latest status matters, so older unread ones are dropped.</summary>
internal sealed class HealthWatch : IDisposable
{
    private readonly HealthStatusService _owner;
    private readonly Channel<ServingStatus> _updates = Channel.CreateBounded<ServingStatus>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public HealthWatch(HealthStatusService owner, string service)
    {
        _owner = owner;
        Service = service;
    }

    public string Service { get; }

    public ChannelReader<ServingStatus> Updates => _updates.Reader;

    public void Publish(ServingStatus status) => _updates.Writer.TryWrite(status);

    public void Dispose() => _owner.Unwatch(this);
}
