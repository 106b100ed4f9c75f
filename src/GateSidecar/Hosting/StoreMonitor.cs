using GateSidecar.Approvals;
using GateSidecar.Transport.Health;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace GateSidecar.Hosting;

/// <summary>
/// Initialises the store (retrying while it is unreachable, so the sidecar starts and recovers by
/// itself), then pings it every second: the gRPC health of the services that need records and
/// <c>/readyz</c> follow it.
/// </summary>
internal sealed partial class StoreMonitor(IApprovalStore store, HealthStatusService health, TimeProvider time, ILogger<StoreMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private volatile bool _initialized;
    private volatile bool _reachable;
    private volatile string _detail = "store not checked yet";

    public bool Ready => _initialized && _reachable;

    public string Detail => _detail;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // A store that answers at start-up is ready before the first request is accepted.
        await TryInitializeAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!_initialized)
                {
                    await TryInitializeAsync(stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    timeout.CancelAfter(TimeSpan.FromSeconds(3));
                    var ok = await store.PingAsync(timeout.Token).ConfigureAwait(false);
                    SetReachable(ok, ok ? $"{store.Name} store answers" : $"{store.Name} store does not answer");
                }

                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is StoreUnavailableException or OperationCanceledException)
            {
                SetReachable(false, ex.Message);
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task TryInitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            _initialized = true;
            SetReachable(true, $"{store.Name} store answers");
        }
        catch (StoreUnavailableException ex)
        {
            SetReachable(false, ex.Message);
        }
    }

    private void SetReachable(bool reachable, string detail)
    {
        _detail = detail;
        if (_reachable == reachable)
        {
            return;
        }

        _reachable = reachable;
        var status = reachable ? ServingStatus.Serving : ServingStatus.NotServing;
        health.SetStatus("gate.v1.Gate", status);
        health.SetStatus("gate.v1.Approvals", status);
        health.SetStatus("gate.v1.Audit", status);
        if (reachable)
        {
            LogStoreUp(logger, store.Name);
        }
        else
        {
            LogStoreDown(logger, store.Name, detail);
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "{Store} store is reachable")]
    private static partial void LogStoreUp(ILogger logger, string store);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "{Store} store is unreachable: {Detail}; calls that need a record answer UNAVAILABLE until it returns")]
    private static partial void LogStoreDown(ILogger logger, string store, string detail);
}
