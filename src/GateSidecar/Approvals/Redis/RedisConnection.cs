using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GateSidecar.Approvals.Redis;

/// <summary>
/// The two multiplexers of one store: commands (completions unordered, for throughput) and
/// subscriptions (completions in order, so changes reach subscribers in publish order). Both are
/// created with <c>abortConnect=false</c>: the sidecar starts while Redis is down and reconnects
/// (and re-subscribes) by itself. Every call is bounded by the operation timeout.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _commands;
    private readonly ConnectionMultiplexer _subscriptions;
    private readonly TimeSpan _timeout;

    private RedisConnection(ConnectionMultiplexer commands, ConnectionMultiplexer subscriptions, string endpoint, TimeSpan timeout)
    {
        _commands = commands;
        _subscriptions = subscriptions;
        Endpoint = endpoint;
        _timeout = timeout;
        Database = commands.GetDatabase();
        Subscriber = subscriptions.GetSubscriber();
    }

    /// <summary>"127.0.0.1:6379": for messages an operator acts on.</summary>
    public string Endpoint { get; }

    public IDatabase Database { get; }

    public ISubscriber Subscriber { get; }

    public static async Task<RedisConnection> ConnectAsync(RedisStoreOptions options, ILogger logger)
    {
        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(options.Configuration);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"redis configuration '{options.Configuration}' is not valid (expected HOST:PORT): {ex.Message}", nameof(options), ex);
        }

        if (configuration.EndPoints.Count == 0)
        {
            throw new ArgumentException($"redis configuration '{options.Configuration}' names no server (expected HOST:PORT).", nameof(options));
        }

        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        configuration.SyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        configuration.ResponseTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        configuration.ReconnectRetryPolicy = new LinearRetry(1000);
        configuration.KeepAlive = 5;
        configuration.ClientName ??= "gate-sidecar";
        var endpoint = string.Join(",", configuration.EndPoints.Select(Describe));

        // In parallel: while Redis is down each connect waits the whole connect timeout.
        var connectingCommands = ConnectionMultiplexer.ConnectAsync(configuration);
        var connectingSubscriptions = ConnectionMultiplexer.ConnectAsync(configuration.Clone());
        var commands = await connectingCommands.ConfigureAwait(false);
        var subscriptions = await connectingSubscriptions.ConfigureAwait(false);
        commands.PreserveAsyncOrder = false;
        subscriptions.PreserveAsyncOrder = true;
        var connection = new RedisConnection(commands, subscriptions, endpoint, options.OperationTimeout);
        foreach (var multiplexer in new[] { commands, subscriptions })
        {
            multiplexer.ConnectionFailed += (_, e) => RedisStoreLog.ConnectionFailed(logger, endpoint, e.ConnectionType.ToString(), e.FailureType.ToString(), e.Exception);
            multiplexer.ConnectionRestored += (_, e) => RedisStoreLog.ConnectionRestored(logger, endpoint, e.ConnectionType.ToString());
        }

        subscriptions.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                connection.SubscriptionLost?.Invoke();
            }
        };

        subscriptions.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                connection.SubscriptionRestored?.Invoke();
            }
        };

        if (!commands.IsConnected)
        {
            RedisStoreLog.StartedDisconnected(logger, endpoint);
        }

        return connection;
    }

    /// <summary>Raised when the subscription connection drops: messages published until it is back are not received.</summary>
    public event Action? SubscriptionLost;

    /// <summary>Raised when the subscription connection comes back (after an outage, or after starting while Redis was down).</summary>
    public event Action? SubscriptionRestored;

    public bool SubscriptionsConnected => _subscriptions.IsConnected;

    public bool CommandsConnected => _commands.IsConnected;

    /// <summary>The version the server reported when the command connection was made; null while not connected.</summary>
    public Version? ServerVersion
    {
        get
        {
            var server = _commands.GetServer(_commands.GetEndPoints()[0]);
            return server.IsConnected ? server.Version : null;
        }
    }

    /// <summary>Awaits a Redis call for at most the operation timeout; failures to reach Redis become <see cref="StoreUnavailableException"/>.</summary>
    public async Task<T> RunAsync<T>(Task<T> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // The call may still complete or fault later: observe it so it is not reported as unobserved.
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (ex is TimeoutException)
            {
                throw new StoreUnavailableException($"redis at {Endpoint} did not answer within {_timeout.TotalSeconds:0.#}s.", ex);
            }

            throw;
        }
        catch (Exception ex) when (Translate(ex) is StoreUnavailableException unavailable)
        {
            throw unavailable;
        }
    }

    public Task RunAsync(Task call, CancellationToken cancellationToken) => RunAsync(Completed(call), cancellationToken);

    /// <summary>Connection failures and server states an operator must fix become <see cref="StoreUnavailableException"/>.</summary>
    public Exception Translate(Exception exception) => exception switch
    {
        StoreUnavailableException => exception,
        RedisConnectionException => new StoreUnavailableException($"redis at {Endpoint} is unreachable: {exception.Message}", exception),
        RedisTimeoutException or TimeoutException => new StoreUnavailableException($"redis at {Endpoint} did not answer in time: {exception.Message}", exception),
        RedisServerException server when IsServerState(server.Message) =>
            new StoreUnavailableException($"redis at {Endpoint} refused the command: {server.Message}", exception),
        _ => exception,
    };

    public async ValueTask DisposeAsync()
    {
        await _subscriptions.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
        await _commands.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
        _subscriptions.Dispose();
        _commands.Dispose();
    }

    private static async Task<bool> Completed(Task call)
    {
        await call.ConfigureAwait(false);
        return true;
    }

    private static bool IsServerState(string message) =>
        message.StartsWith("LOADING", StringComparison.Ordinal) || message.StartsWith("MISCONF", StringComparison.Ordinal) ||
        message.StartsWith("READONLY", StringComparison.Ordinal) || message.StartsWith("BUSY", StringComparison.Ordinal) ||
        message.StartsWith("NOAUTH", StringComparison.Ordinal) || message.StartsWith("WRONGPASS", StringComparison.Ordinal) ||
        message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal) || message.StartsWith("MASTERDOWN", StringComparison.Ordinal) ||
        message.StartsWith("OOM", StringComparison.Ordinal) || message.StartsWith("NOPERM", StringComparison.Ordinal);

    private static string Describe(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString() ?? "?",
    };
}
