using System.Runtime.CompilerServices;
using System.Text.Json;
using Gate.V1;
using GateSidecar.Approvals.Stored;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode (or a throw-away in-memory database). Writes go
/// through <see cref="SqliteWriter"/> (group commit on one connection); reads use their own
/// connections and see committed data only. Changes are published in-process after COMMIT.
/// </summary>
internal sealed partial class SqliteApprovalStore : IApprovalStore
{
    private const int AuditReadChunk = 1000;

    private readonly SqliteDatabase _database;
    private readonly SqliteStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteApprovalStore> _logger;
    private readonly ApprovalChangeFanout _subscribers = new();
    private readonly Action<Exception> _onSubscriberError;
    private SqliteWriter? _writer;
    private int _disposed;

    public SqliteApprovalStore(string path, TimeProvider timeProvider, ILogger<SqliteApprovalStore> logger, SqliteStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options ?? new SqliteStoreOptions();
        _database = new SqliteDatabase(path, _options.BusyTimeout);
        _time = timeProvider;
        _logger = logger;
        _onSubscriberError = ex => SqliteStoreLog.SubscriberFailed(_logger, ex);
    }

    public string Name => "sqlite";

    /// <summary>"sqlite database at /full/path" or "in-memory sqlite database".</summary>
    public string Description => _database.Description;

    private SqliteWriter Writer => _writer ?? throw new InvalidOperationException("Call InitializeAsync before using the sqlite store.");

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null)
        {
            throw new InvalidOperationException("The sqlite store is already initialized.");
        }

        SqliteConnection connection;
        try
        {
            connection = _database.OpenWriter(_options.SyncEveryCommit);
            CreateSchema(connection);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"{_database.Description} cannot be opened: {ex.Message}", ex);
        }

        SqliteStoreLog.Opened(_logger, _database.Description, _options.SyncEveryCommit ? "FULL" : "NORMAL", _database.InMemory ? "memory" : "WAL");
        _writer = new SqliteWriter(_database, connection, _options.MaxBatchSize, callerCommits: !_options.SyncEveryCommit, _time, Publish, _logger);
        return Task.CompletedTask;
    }

    public ValueTask<CreateResult> CreateAsync(StoredApproval record, IReadOnlyList<AuditEvent> audit, CancellationToken cancellationToken)
    {
        StoreConventions.ValidateForCreate(record, audit);
        var atMs = StoreConventions.PrepareAudit(audit, record.Approval.ApprovalId, _time);
        var createdMs = StoreConventions.CreatedUnixMs(record, _time);
        return new ValueTask<CreateResult>(Writer.Enqueue(new SqliteCreateWrite(record, audit, atMs, createdMs, cancellationToken)));
    }

    public ValueTask<bool> TryUpdateAsync(StoredApproval record, long expectedSeq, IReadOnlyList<AuditEvent> audit, CancellationToken cancellationToken)
    {
        StoreConventions.ValidateForUpdate(record, expectedSeq, audit);
        var atMs = StoreConventions.PrepareAudit(audit, record.Approval.ApprovalId, _time);
        return new ValueTask<bool>(Writer.Enqueue(new SqliteUpdateWrite(record, expectedSeq, audit, atMs, cancellationToken)));
    }

    public ValueTask<bool> TryConsumeTokenAsync(string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jti);
        var keepUntil = (expiresAt + _options.TokenRetentionMargin).ToUnixTimeMilliseconds();
        return new ValueTask<bool>(Writer.Enqueue(new SqliteConsumeTokenWrite(jti, keepUntil, cancellationToken)));
    }

    public ValueTask<int> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        new(Writer.Enqueue(new SqlitePruneWrite(olderThan.ToUnixTimeMilliseconds(), cancellationToken)));

    public ValueTask<StoredApproval?> GetAsync(string approvalId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approvalId);
        return ReadAsync(approvalId, static (reader, id) => reader.GetApproval(id), cancellationToken);
    }

    public ValueTask<PendingPage> ListPendingAsync(IReadOnlyCollection<string> pools, string? pageToken, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pools);
        var (afterCreated, afterId) = pageToken is null ? (long.MinValue, string.Empty) : StoreConventions.ParsePendingToken(pageToken);
        var query = new PendingQuery(JsonSerializer.Serialize(pools), afterCreated, afterId, StoreConventions.ClampPageSize(pageSize));
        if (pools.Count == 0)
        {
            return new ValueTask<PendingPage>(new PendingPage([], null));
        }

        return ReadAsync(query, static (reader, q) => SqliteQueries.ListPending(reader.Connection, q), cancellationToken);
    }

    public ValueTask<IReadOnlyList<DueApproval>> GetDueAsync(DateTimeOffset now, int max, IReadOnlySet<string>? known, CancellationToken cancellationToken) =>
        ReadAsync((Now: now.ToUnixTimeMilliseconds(), Max: Math.Max(1, max), Known: known), static (reader, q) => reader.Due(q.Now, q.Max, q.Known), cancellationToken);

    public ValueTask<DateTimeOffset?> GetNextDeadlineAsync(DateTimeOffset after, CancellationToken cancellationToken) =>
        ReadAsync(StoreConventions.UnixMsAtLeastZero(after), static (reader, afterMs) => reader.NextDeadline(afterMs), cancellationToken);

    public ValueTask<AuditPage> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = query.PageToken is null ? 0 : StoreConventions.ParseAuditToken(query.PageToken);
        return ReadAsync((Query: query, After: after), static (reader, q) => SqliteQueries.ListAudit(reader.Connection, q.Query, q.After), cancellationToken);
    }

    public async IAsyncEnumerable<AuditEvent> ReadAuditAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            var chunk = await ReadAsync(after, static (reader, a) => SqliteQueries.AuditChunk(reader.Connection, a, AuditReadChunk), cancellationToken).ConfigureAwait(false);
            foreach (var entry in chunk)
            {
                yield return entry;
            }

            if (chunk.Count < AuditReadChunk)
            {
                yield break;
            }

            after = chunk[^1].Seq;
        }
    }

    public IDisposable Subscribe(Action<ApprovalChange> onChange) => _subscribers.Subscribe(onChange);

    public async ValueTask<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(0, static (reader, _) =>
            {
                using var command = Command(reader.Connection, "SELECT count(*) FROM sqlite_master;");
                command.ExecuteScalar();
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        _database.Dispose();
    }

    /// <summary>
    /// A command kept for many executions: its parameters are named here and given values before
    /// each run; SQLite parses and plans it on the first run only.
    /// </summary>
    internal static SqliteCommand Statement(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    internal static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private static void CreateSchema(SqliteConnection connection)
    {
        using var command = Command(connection, SqliteSchema.Create + $"PRAGMA user_version = {SqliteSchema.Version};");
        command.ExecuteNonQuery();
    }

    private void Publish(ApprovalChange change) => _subscribers.Publish(change, _onSubscriberError);

    private async ValueTask<T> ReadAsync<TState, T>(TState state, Func<SqliteReader, TState, T> read, CancellationToken cancellationToken)
    {
        _ = Writer;
        try
        {
            using var lease = await _database.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return read(lease.Reader, state);
            }
            catch (SqliteException)
            {
                lease.Reader.Broken = true;
                throw;
            }
        }
        catch (SqliteException ex) when (SqliteDatabase.IsUnavailable(ex.SqliteErrorCode))
        {
            throw _database.Translate(ex);
        }
    }
}

internal readonly record struct PendingQuery(string PoolsJson, long AfterCreatedMs, string AfterId, int PageSize);
