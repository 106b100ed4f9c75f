using System.Globalization;
using System.Runtime.CompilerServices;
using Gate.V1;
using GateSidecar.Approvals.Stored;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GateSidecar.Approvals.Redis;

/// <summary>
/// The shared store: several sidecars on one Redis share approvals, indexes, the audit chain and
/// the token ledger. Every write is one Lua script (record, indexes, audit, TTL and the change
/// publication together); changes reach the subscribers of every store instance connected to that
/// Redis, this one included, through the pub/sub channel.
/// </summary>
internal sealed partial class RedisApprovalStore : IApprovalStore
{
    private const int AuditReadChunk = 1000;
    private const int AuditScanBudget = 2000;

    private readonly RedisStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisApprovalStore> _logger;
    private readonly RedisKeys _keys;
    private readonly ApprovalChangeFanout _subscribers = new();
    private readonly Action<Exception> _onSubscriberError;
    private static readonly TimeSpan SubscriptionCheckInterval = TimeSpan.FromMilliseconds(250);
    private const int ChangeLogPage = 1000;
    private static readonly Version MinimumServerVersion = new(7, 0);
    private readonly RedisChangeDelivery _delivery;
    private readonly RedisOwnWrites _ownWrites = new();
    private readonly Action<RedisChannel, RedisValue> _onMessage;
    private RedisConnection? _connection;
    private RedisWriter? _writer;
    private readonly Lock _subscribing = new();
    private Task _ensuringSubscription = Task.CompletedTask;
    private volatile bool _disposed;
    private volatile string? _refused;
    private int _disposeStarted;

    public RedisApprovalStore(RedisStoreOptions options, TimeProvider timeProvider, ILogger<RedisApprovalStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeyPrefix);
        if (options.ChangeLogLength <= 0)
        {
            throw new ArgumentException($"ChangeLogLength must be positive (was {options.ChangeLogLength}).", nameof(options));
        }

        if (options.TerminalRetention <= TimeSpan.Zero)
        {
            throw new ArgumentException($"TerminalRetention must be positive (was {options.TerminalRetention}).", nameof(options));
        }

        _options = options;
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _keys = new RedisKeys(options.KeyPrefix);
        _onSubscriberError = ex => RedisStoreLog.SubscriberFailed(_logger, ex);
        _delivery = new RedisChangeDelivery(_subscribers, _onSubscriberError, _ownWrites);
        _onMessage = OnMessage;
    }

    public string Name => "redis";

    /// <summary>"redis at 127.0.0.1:6379" once initialized.</summary>
    public string Description => $"redis at {_connection?.Endpoint ?? _options.Configuration}";

    private RedisConnection Connection => _connection ?? throw new InvalidOperationException("Call InitializeAsync before using the redis store.");

    /// <summary>
    /// Record and audit writes; refused (fail closed) while the last ping found a Redis this store
    /// cannot use.
    /// </summary>
    private RedisWriter Writer => _refused is { } refusal
        ? throw new StoreUnavailableException(refusal)
        : _writer ?? throw new InvalidOperationException("Call InitializeAsync before using the redis store.");

    /// <summary>Connects (without failing when Redis is down: it reconnects by itself) and subscribes to changes.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            throw new InvalidOperationException("The redis store is already initialized.");
        }

        var connection = await RedisConnection.ConnectAsync(_options, _logger).ConfigureAwait(false);
        if (TooOld(connection) is { } refusal)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new StoreRefusedException(refusal);
        }

        _connection = connection;
        _writer = new RedisWriter(connection, _keys, _options, _logger, _ownWrites);
        connection.SubscriptionLost += _delivery.SubscriptionLost;
        connection.SubscriptionRestored += () => EnsureSubscribedSoon();

        // The subscription connection can come up after the command connection (seen under load):
        // a subscription made before it is bound to no server. When Redis answers, wait (within the
        // connect timeout) until the subscription is live and delivering, so no change written after
        // start-up is missed; when it does not answer, start anyway, as above.
        var subscribing = EnsureSubscribedSoon();
        if (connection.CommandsConnected && !subscribing.IsCompleted)
        {
            try
            {
                await subscribing.WaitAsync(_options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                RedisStoreLog.NotSubscribedYet(_logger, _keys.Changes.ToString(), connection.Endpoint, _options.ConnectTimeout.TotalSeconds);
            }
        }
    }

    public ValueTask<CreateResult> CreateAsync(StoredApproval record, IReadOnlyList<AuditEvent> audit, CancellationToken cancellationToken)
    {
        StoreConventions.ValidateForCreate(record, audit);
        var atMs = StoreConventions.PrepareAudit(audit, record.Approval.ApprovalId, _time);
        var write = new RedisCreateWrite(record, audit, atMs, StoreConventions.CreatedUnixMs(record, _time), cancellationToken);
        return new ValueTask<CreateResult>(Writer.Enqueue(write, write.Task));
    }

    public ValueTask<bool> TryUpdateAsync(StoredApproval record, long expectedSeq, IReadOnlyList<AuditEvent> audit, CancellationToken cancellationToken)
    {
        StoreConventions.ValidateForUpdate(record, expectedSeq, audit);
        var atMs = StoreConventions.PrepareAudit(audit, record.Approval.ApprovalId, _time);
        var write = new RedisUpdateWrite(record, expectedSeq, audit, atMs, cancellationToken);
        return new ValueTask<bool>(Writer.Enqueue(write, write.Task));
    }

    public async ValueTask<StoredApproval?> GetAsync(string approvalId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approvalId);
        var connection = Connection;
        byte[]? data = await connection.RunAsync(connection.Database.HashGetAsync(_keys.Approval(approvalId), "d"), cancellationToken).ConfigureAwait(false);
        return data is null ? null : StoredApproval.Parser.ParseFrom(data);
    }

    public async ValueTask<PendingPage> ListPendingAsync(IReadOnlyCollection<string> pools, string? pageToken, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pools);
        var cursor = string.Empty;
        if (pageToken is not null)
        {
            var (createdMs, id) = StoreConventions.ParsePendingToken(pageToken);
            cursor = RedisKeys.PoolMember(createdMs, id);
        }

        var limit = StoreConventions.ClampPageSize(pageSize);
        var distinct = pools.Distinct(StringComparer.Ordinal).ToArray();
        if (distinct.Length == 0)
        {
            return new PendingPage([], null);
        }

        var args = new RedisValue[3 + distinct.Length];
        args[0] = _keys.Prefix;
        args[1] = limit.ToString(CultureInfo.InvariantCulture);
        args[2] = cursor;
        for (var i = 0; i < distinct.Length; i++)
        {
            args[3 + i] = distinct[i];
        }

        var connection = Connection;
        var reply = (RedisResult[])(await connection.RunAsync(connection.Database.ScriptEvaluateAsync(RedisScripts.ListPending, [_keys.Due], args), cancellationToken).ConfigureAwait(false))!;
        var candidates = new List<(string Member, byte[] Data)>(reply.Length / 2);
        for (var i = 0; i + 1 < reply.Length; i += 2)
        {
            candidates.Add(((string)reply[i]!, (byte[])reply[i + 1]!));
        }

        // Byte order of ASCII members is ordinal order.
        candidates.Sort(static (a, b) => string.CompareOrdinal(a.Member, b.Member));
        var items = new List<StoredApproval>(Math.Min(limit, candidates.Count));
        for (var i = 0; i < candidates.Count && i < limit; i++)
        {
            items.Add(StoredApproval.Parser.ParseFrom(candidates[i].Data));
        }

        string? next = null;
        if (candidates.Count > limit)
        {
            var last = candidates[limit - 1].Member;
            var colon = last.IndexOf(':', StringComparison.Ordinal);
            next = StoreConventions.FormatPendingToken(long.Parse(last.AsSpan(0, colon), CultureInfo.InvariantCulture), last[(colon + 1)..]);
        }

        return new PendingPage(items, next);
    }

    public async ValueTask<IReadOnlyList<DueApproval>> GetDueAsync(DateTimeOffset now, int max, IReadOnlySet<string>? known, CancellationToken cancellationToken)
    {
        var arguments = new RedisValue[3 + (known?.Count ?? 0)];
        arguments[0] = _keys.Prefix;
        arguments[1] = now.ToUnixTimeMilliseconds();
        arguments[2] = Math.Max(1, max);
        if (known is not null)
        {
            var n = 3;
            foreach (var id in known)
            {
                arguments[n++] = id;
            }
        }

        var connection = Connection;
        var reply = (RedisResult[])(await connection.RunAsync(
            connection.Database.ScriptEvaluateAsync(RedisScripts.Due, [_keys.Due], arguments),
            cancellationToken).ConfigureAwait(false))!;
        var gone = (string[])reply[1]!;
        if (gone.Length > 0)
        {
            RedisStoreLog.DeadlinesWithoutRecord(_logger, gone.Length, string.Join(", ", gone));
        }

        var ids = (string[])reply[0]!;
        var records = (RedisResult[])reply[2]!;
        var due = new DueApproval[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            var data = (byte[]?)records[i];
            due[i] = new DueApproval(ids[i], data is null || data.Length == 0 ? null : StoredApproval.Parser.ParseFrom(data));
        }

        return due;
    }

    public async ValueTask<DateTimeOffset?> GetNextDeadlineAsync(DateTimeOffset after, CancellationToken cancellationToken)
    {
        var connection = Connection;
        var first = await connection.RunAsync(
            connection.Database.SortedSetRangeByScoreWithScoresAsync(_keys.Due, StoreConventions.UnixMsAtLeastZero(after), double.PositiveInfinity, Exclude.Start, Order.Ascending, 0, 1),
            cancellationToken).ConfigureAwait(false);
        return first.Length == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)first[0].Score);
    }

    public async ValueTask<bool> TryConsumeTokenAsync(string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jti);
        var keep = expiresAt + _options.TokenRetentionMargin - _time.GetUtcNow();
        if (keep < TimeSpan.FromSeconds(1))
        {
            keep = TimeSpan.FromSeconds(1);
        }

        var connection = Connection;
        return await connection.RunAsync(connection.Database.StringSetAsync(_keys.Token(jti), "1", keep, When.NotExists), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<AuditPage> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = query.PageToken is null ? 0 : StoreConventions.ParseAuditToken(query.PageToken);
        var limit = StoreConventions.ClampPageSize(query.PageSize);
        var (events, next) = await ReadAuditPageAsync(after, query.ApprovalId, query.Since, query.Until, limit, cancellationToken).ConfigureAwait(false);
        return new AuditPage(events, next is null ? null : StoreConventions.FormatAuditToken(next.Value));
    }

    public async IAsyncEnumerable<AuditEvent> ReadAuditAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long? after = 0;
        while (after is { } from)
        {
            var (events, next) = await ReadAuditPageAsync(from, null, null, null, AuditReadChunk, cancellationToken).ConfigureAwait(false);
            foreach (var entry in events)
            {
                yield return entry;
            }

            after = next;
        }
    }

    public IDisposable Subscribe(Action<ApprovalChange> onChange) => _subscribers.Subscribe(onChange);

    public async ValueTask<bool> PingAsync(CancellationToken cancellationToken)
    {
        var connection = Connection;
        try
        {
            await connection.RunAsync(connection.Database.PingAsync(), cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException)
        {
            return false;
        }

        // Redis was down at start (nothing to check then), or came back as another server: writes
        // are refused until a ping finds a Redis the store can use again.
        _refused = TooOld(connection);
        if (_refused is { } refusal)
        {
            throw new StoreUnavailableException(refusal);
        }

        return true;
    }

    /// <summary>Why the server the command connection reached cannot be used, or null (also while not connected).</summary>
    private static string? TooOld(RedisConnection connection) =>
        connection.ServerVersion is { } version && version < MinimumServerVersion
            ? $"redis at {connection.Endpoint} is version {version}; the redis store needs {MinimumServerVersion} or later (it keeps a change log with stream commands of that version). Upgrade Redis or use --store sqlite."
            : null;

    /// <summary>Terminal records expire by the TTL set when they became terminal: nothing to prune.</summary>
    public ValueTask<int> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) => ValueTask.FromResult(0);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) == 1)
        {
            return;
        }

        _disposed = true;
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<(List<AuditEvent> Events, long? Next)> ReadAuditPageAsync(
        long after, string? approvalId, DateTimeOffset? since, DateTimeOffset? until, int limit, CancellationToken cancellationToken)
    {
        var args = new RedisValue[]
        {
            _keys.Prefix,
            after.ToString(CultureInfo.InvariantCulture),
            approvalId ?? string.Empty,
            since?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            until?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            limit.ToString(CultureInfo.InvariantCulture),
            Math.Max(AuditScanBudget, limit + 1).ToString(CultureInfo.InvariantCulture),
        };
        var connection = Connection;
        var reply = (RedisResult[])(await connection.RunAsync(connection.Database.ScriptEvaluateAsync(RedisScripts.ListAudit, [_keys.AuditHead], args), cancellationToken).ConfigureAwait(false))!;
        var events = new List<AuditEvent>(reply.Length - 1);
        for (var i = 1; i < reply.Length; i++)
        {
            events.Add(AuditEvent.Parser.ParseFrom((byte[])reply[i]!));
        }

        var cursor = (string)reply[0]!;
        return (events, cursor.Length == 0 ? null : long.Parse(cursor, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Makes the change subscription live and fills the gap since the last delivered change from the
    /// change log; returns the attempt under way. The multiplexer resends a subscription when a
    /// connection comes up only if it was bound to a server; one made while the subscription
    /// connection was down is not, so it is made again. The attempt goes on until it succeeds or the
    /// store is disposed.
    /// </summary>
    private Task EnsureSubscribedSoon()
    {
        lock (_subscribing)
        {
            if (_ensuringSubscription.IsCompleted)
            {
                _ensuringSubscription = EnsureSubscribedAsync();
            }

            return _ensuringSubscription;
        }
    }

    private async Task EnsureSubscribedAsync()
    {
        var connection = Connection;
        while (!_disposed)
        {
            try
            {
                var losses = _delivery.Losses;
                if (await TrySubscribeAsync(connection).ConfigureAwait(false) &&
                    await CatchUpAsync(connection, losses).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (StoreUnavailableException)
            {
                // Redis dropped again: try again while the store lives.
            }
            catch (Exception) when (_disposed)
            {
                return;
            }
            catch (Exception ex)
            {
                // Anything else would leave changes held for good: say so, and try again.
                RedisStoreLog.CatchUpFailed(_logger, _keys.ChangeLog.ToString(), connection.Endpoint, ex);
                await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }

            await Task.Delay(SubscriptionCheckInterval).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// True once the change subscription is live on the server: made here and answered, or found
    /// bound and confirmed by a round trip on its connection.
    /// </summary>
    private async Task<bool> TrySubscribeAsync(RedisConnection connection)
    {
        if (connection.Subscriber.SubscribedEndpoint(_keys.Changes) is not null)
        {
            // Bound by the multiplexer (resent on reconnect) or by a subscribe that timed out: its
            // SUBSCRIBE may still be on the way, and a round trip on the same connection returns only
            // after Redis has processed it. The probe is left in any case, so a probe that timed out
            // is not resent later, and the next one is a new subscription (a round trip) rather than
            // a second handler on it.
            try
            {
                await connection.RunAsync(connection.Subscriber.SubscribeAsync(_keys.SubscriptionProbe, static (_, _) => { }), CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _ = connection.Subscriber.UnsubscribeAsync(_keys.SubscriptionProbe).ContinueWith(
                    static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            return true;
        }

        if (!connection.SubscriptionsConnected)
        {
            return false;
        }

        // A subscription made while the subscription connection was down is bound to no server and
        // never resent: make it again.
        await connection.RunAsync(connection.Subscriber.UnsubscribeAsync(_keys.Changes, _onMessage), CancellationToken.None).ConfigureAwait(false);
        try
        {
            await connection.RunAsync(connection.Subscriber.SubscribeAsync(_keys.Changes, _onMessage), CancellationToken.None).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            RedisStoreLog.SubscribeFailed(_logger, _keys.Changes.ToString(), connection.Endpoint, ex);
            throw;
        }

        if (connection.Subscriber.SubscribedEndpoint(_keys.Changes) is null)
        {
            return false;
        }

        if (_delivery.HasStarted)
        {
            RedisStoreLog.Resubscribed(_logger, _keys.Changes.ToString(), connection.Endpoint);
        }

        return true;
    }

    /// <summary>
    /// Delivers the changes committed since the last delivered one from the change log, up to its
    /// tail as it is now, then the messages that arrived meanwhile. False when the subscription was
    /// lost again since <paramref name="lossesAtStart"/>.
    /// </summary>
    private async Task<bool> CatchUpAsync(RedisConnection connection, long lossesAtStart)
    {
        var tail = await connection.RunAsync(connection.Database.ScriptEvaluateAsync(RedisScripts.ChangeLogTail, [_keys.ChangeLog]), CancellationToken.None).ConfigureAwait(false);
        var ids = (RedisResult[])tail!;
        var last = ChangeLogId.Parse((string)ids[0]!);
        var first = ChangeLogId.Parse((string)ids[1]!);
        var cursor = _delivery.CatchUpFrom(last);
        var trimmed = (string)ids[2]! == "1" && first > cursor && last > cursor;
        if (trimmed)
        {
            RedisStoreLog.ChangesTrimmed(_logger, _keys.ChangeLog.ToString(), cursor.ToString(), first.ToString(), _options.ChangeLogLength);
        }

        var through = last.ToString();
        while (cursor < last)
        {
            var reply = (RedisResult[])(await connection.RunAsync(
                connection.Database.ScriptEvaluateAsync(RedisScripts.ChangeLogRange, [_keys.ChangeLog], [cursor.ToString(), through, ChangeLogPage]),
                CancellationToken.None).ConfigureAwait(false))!;
            if (reply.Length == 0)
            {
                break;
            }

            var entries = new List<(ChangeLogId, ApprovalChange)>(reply.Length);
            foreach (var item in reply)
            {
                var entry = (RedisResult[])item!;
                cursor = ChangeLogId.Parse((string)entry[0]!);
                var fields = (RedisResult[])entry[1]!;
                if (fields.Length == 2 && RedisChangeMessage.TryParseChange((byte[])fields[1]!, out var change))
                {
                    entries.Add((cursor, change));
                }
                else
                {
                    RedisStoreLog.MalformedChange(_logger, _keys.ChangeLog.ToString());
                }
            }

            _delivery.DeliverFromLog(entries);
        }

        if (trimmed)
        {
            _delivery.DeliverResync();
        }

        return _delivery.TryRelease(lossesAtStart);
    }

    private void OnMessage(RedisChannel channel, RedisValue message)
    {
        if (RedisChangeMessage.TryParse((byte[])message!, out var entry, out var writer, out var change))
        {
            _delivery.OnMessage(entry, change, _ownWrites.IsThisWriter(writer));
        }
        else
        {
            RedisStoreLog.MalformedChange(_logger, channel.ToString());
        }
    }
}
