using System.Threading.Channels;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;
using GateSidecar.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvers.Notifications;

/// <summary>
/// Announces new and escalated approvals to their pool's receivers. It follows the change feed on its
/// own listener and delivers from bounded in-memory queues, one per receiver with its own workers, so a
/// receiver that fails or never answers is logged and counted and holds up only its own queue. It never
/// blocks, delays or loses an approval: the approval flow does not wait for, or know about, this service.
/// </summary>
internal sealed class NotificationDispatcher : BackgroundService
{
    private readonly NotificationSettings _settings;
    private readonly ApprovalService _approvals;
    private readonly ChangeFeed _feed;
    private readonly Func<string> _consoleBase;
    private readonly NotificationStats _stats;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WebhookSender _sender;
    private readonly HttpClient _http;
    private readonly Dictionary<NotificationTarget, Channel<Delivery>> _queues = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, int> _announced = new(StringComparer.Ordinal);
    private ChangeListener? _listener;

    public NotificationDispatcher(
        NotificationSettings settings,
        ApprovalService approvals,
        ChangeFeed feed,
        GateOptions options,
        GateEndpoints endpoints,
        NotificationStats stats,
        TimeProvider time,
        ILogger<NotificationDispatcher> logger)
    {
        _settings = settings;
        _approvals = approvals;
        _feed = feed;
        _consoleBase = () => options.ConsoleUrl ?? endpoints.HttpAddress.GetLeftPart(UriPartial.Authority);
        _stats = stats;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = settings.Delivery.Timeout,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _sender = new WebhookSender(_http, time);
        foreach (var target in settings.Pools.Values.SelectMany(t => t))
        {
            _queues[target] = Channel.CreateBounded<Delivery>(new BoundedChannelOptions(settings.Delivery.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
        }
    }

    /// <summary>
    /// Subscribes before the host reports started: ExecuteAsync runs later on the thread pool, and a
    /// change committed in between would otherwise never be announced.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_settings.Pools.Count > 0)
        {
            _listener = _feed.ListenAll();
        }

        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _listener?.Dispose();
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_listener is null)
        {
            return;
        }

        NotificationLog.Started(_logger, _settings.Pools.Count, _settings.Pools.Values.Sum(t => t.Count));
        var workers = new List<Task>();
        foreach (var queue in _queues.Values)
        {
            for (var i = 0; i < _settings.Delivery.Concurrency; i++)
            {
                workers.Add(WorkAsync(queue.Reader, stoppingToken));
            }
        }

        await FollowChangesAsync(_listener, stoppingToken).ConfigureAwait(false);
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private async Task FollowChangesAsync(ChangeListener listener, CancellationToken stoppingToken)
    {
        try
        {
            while (await listener.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (listener.Reader.TryRead(out var change))
                {
                    try
                    {
                        await OnChangeAsync(change, stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        NotificationLog.ReadFailed(_logger, change.ApprovalId, ex.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task OnChangeAsync(ApprovalChange change, CancellationToken cancellationToken)
    {
        if (change.IsResync)
        {
            await ResyncAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!ApprovalStates.IsOpen(change.State))
        {
            _announced.Remove(change.ApprovalId);
            return;
        }

        // Only a creation or an escalation can bring something to announce; other changes of an open
        // approval (a first quorum approval) do not.
        if (_settings.TargetsFor(change.Pool).Count == 0 || (change.Seq != 1 && change.State != ApprovalState.Escalated))
        {
            return;
        }

        var record = await _approvals.Store.GetAsync(change.ApprovalId, cancellationToken).ConfigureAwait(false);
        if (record is null || !ApprovalStates.IsOpen(record.Approval.State))
        {
            return;
        }

        await AnnounceAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After lost changes (<see cref="ApprovalChange.Resync"/>): every open approval of a notified
    /// pool is offered again; the claim in the store keeps each announcement to once, so only those
    /// whose announcement was lost go out.
    /// </summary>
    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        await foreach (var record in _approvals.Store.ListAllPendingAsync([.. _settings.Pools.Keys], cancellationToken).ConfigureAwait(false))
        {
            await AnnounceAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task AnnounceAsync(StoredApproval record, CancellationToken cancellationToken)
    {
        var approval = record.Approval;
        var level = approval.EscalationLevel;
        if (_announced.TryGetValue(approval.ApprovalId, out var last) && last >= level)
        {
            return;
        }

        _announced[approval.ApprovalId] = level;
        var targets = _settings.TargetsFor(approval.Pool);
        if (targets.Count == 0 || !await ClaimAsync(approval, level, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var evt = new NotificationEvent(level == 0 ? NotificationKind.Pending : NotificationKind.Escalated, Redactor.Redact(approval, record.Redact), _consoleBase());
        foreach (var target in targets)
        {
            var deliveryId = Guid.NewGuid().ToString("N");
            var body = target.Format == NotificationFormat.Slack ? SlackMessage.Build(evt) : NotificationCard.Build(evt, deliveryId, _time.GetUtcNow());
            var delivery = new Delivery(target, evt.Name, approval.ApprovalId, deliveryId, body);
            if (Enqueue(delivery))
            {
                _stats.OnQueued();
            }
        }
    }

    /// <summary>
    /// Several sidecars sharing a store all see the change; the store's once-only marker (the one that
    /// makes tokens single use) lets exactly one of them announce it. If the store cannot answer, the
    /// announcement goes out anyway: a duplicate is better than a silent pool.
    /// </summary>
    private async Task<bool> ClaimAsync(Approval approval, int level, CancellationToken cancellationToken)
    {
        var keepUntil = approval.Deadline?.ToDateTimeOffset() ?? _time.GetUtcNow().AddDays(1);
        try
        {
            return await _approvals.Store.TryConsumeTokenAsync($"notify:{approval.ApprovalId}:{level}", keepUntil, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            NotificationLog.ReadFailed(_logger, approval.ApprovalId, ex.Message);
            return true;
        }
    }

    private bool Enqueue(Delivery delivery)
    {
        if (_queues[delivery.Target].Writer.TryWrite(delivery))
        {
            return true;
        }

        NotificationLog.Dropped(_logger, _settings.Delivery.QueueCapacity, delivery.EventName, delivery.ApprovalId, delivery.Target.Url);
        _stats.OnDropped();
        Telemetry.GateMetrics.NotificationFailed(delivery.Target.Format.ToString().ToLowerInvariant(), pool: string.Empty);
        return false;
    }

    private async Task WorkAsync(ChannelReader<Delivery> queue, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var delivery in queue.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await DeliverAsync(delivery, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(Delivery delivery, CancellationToken stoppingToken)
    {
        delivery.Attempts++;
        var (result, detail) = await _sender.SendAsync(delivery, _settings.Delivery.Timeout, stoppingToken).ConfigureAwait(false);
        // Logged before counted: whoever reads a count can rely on its log line being there.
        if (result == SendResult.Delivered)
        {
            NotificationLog.Delivered(_logger, delivery.EventName, delivery.ApprovalId, delivery.Target.Url, delivery.Attempts);
            _stats.OnDelivered();
            return;
        }

        if (result == SendResult.Refused || delivery.Attempts >= _settings.Delivery.Attempts)
        {
            NotificationLog.GaveUp(_logger, delivery.EventName, delivery.ApprovalId, delivery.Target.Url, delivery.Attempts, detail);
            _stats.OnFailedAttempt();
            _stats.OnGaveUp();
            Telemetry.GateMetrics.NotificationFailed(delivery.Target.Format.ToString().ToLowerInvariant(), pool: string.Empty);
            return;
        }

        var delay = Backoff.Delay(delivery.Attempts, _settings.Delivery, Random.Shared.NextDouble());
        NotificationLog.Retrying(_logger, delivery.EventName, delivery.ApprovalId, delivery.Target.Url, delivery.Attempts, _settings.Delivery.Attempts, detail, (long)delay.TotalMilliseconds);
        _stats.OnFailedAttempt();
        _ = RetryLaterAsync(delivery, delay, stoppingToken);
    }

    /// <summary>Waits out the backoff off the workers, so a receiver being retried does not hold one.</summary>
    private async Task RetryLaterAsync(Delivery delivery, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            Enqueue(delivery);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
