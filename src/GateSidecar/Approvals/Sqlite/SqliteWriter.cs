using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>
/// Group commit: one loop owns the writer connection, drains every queued write into one
/// <c>BEGIN IMMEDIATE</c> transaction (each write inside its own savepoint, so one failing write
/// does not fail its neighbours), commits, and only then completes the callers' tasks and publishes
/// the changes. Acknowledged therefore means committed, and a burst of writes costs one fsync.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly Channel<SqliteWriteOperation> _queue =
        Channel.CreateUnbounded<SqliteWriteOperation>(new UnboundedChannelOptions { SingleReader = true });

    private readonly SqliteDatabase _database;
    private readonly SqliteConnection _connection;
    private readonly SqliteWriteCommands _commands;
    private readonly SqliteWriteContext _context;
    private readonly int _maxBatchSize;
    private readonly TimeProvider _time;
    private readonly Action<ApprovalChange> _publish;
    private readonly ILogger _logger;
    private readonly Task _loop;

    public SqliteWriter(
        SqliteDatabase database, SqliteConnection connection, int maxBatchSize, TimeProvider time,
        Action<ApprovalChange> publish, ILogger logger)
    {
        _database = database;
        _connection = connection;
        _commands = new SqliteWriteCommands(connection);
        _context = new SqliteWriteContext(_commands);
        _maxBatchSize = Math.Max(1, maxBatchSize);
        _time = time;
        _publish = publish;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public Task<T> Enqueue<T>(SqliteWriteOperation<T> operation)
    {
        if (!_queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(SqliteApprovalStore), "The sqlite store is closed.");
        }

        return operation.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _commands.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<SqliteWriteOperation>(_maxBatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _maxBatchSize && reader.TryRead(out var operation))
            {
                if (operation.TryStart())
                {
                    batch.Add(operation);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            using (await _database.EnterWriteTurnAsync().ConfigureAwait(false))
            {
                CommitBatch(batch);
            }
        }
    }

    private void CommitBatch(List<SqliteWriteOperation> batch)
    {
        var failed = new bool[batch.Count];
        try
        {
            _commands.Begin();
            _context.NowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            (_context.HeadSeq, _context.HeadHash) = _commands.ReadHead();
            for (var i = 0; i < batch.Count; i++)
            {
                failed[i] = !TryExecute(batch[i]);
            }

            _commands.Commit();
        }
        catch (Exception ex)
        {
            TryRollback();
            var error = _database.Translate(ex);
            SqliteStoreLog.BatchFailed(_logger, batch.Count, _database.Description, ex);
            for (var i = 0; i < batch.Count; i++)
            {
                if (!failed[i])
                {
                    batch[i].Fail(error);
                }
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (failed[i])
            {
                continue;
            }

            batch[i].Complete();
            if (batch[i].Change is { } change)
            {
                _publish(change);
            }
        }
    }

    /// <summary>Runs one write in its savepoint; a write that throws is undone alone and failed.</summary>
    private bool TryExecute(SqliteWriteOperation operation)
    {
        var headSeq = _context.HeadSeq;
        var headHash = _context.HeadHash;
        _commands.Savepoint();
        try
        {
            operation.Execute(_context);
            _commands.Release();
            return true;
        }
        catch (Exception ex) when (ex is not SqliteException sqlite || !SqliteDatabase.IsUnavailable(sqlite.SqliteErrorCode))
        {
            _commands.RollbackToSavepoint();
            _context.HeadSeq = headSeq;
            _context.HeadHash = headHash;
            operation.Fail(ex);
            return false;
        }
    }

    private void TryRollback()
    {
        try
        {
            if (SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0)
            {
                _commands.Rollback();
            }
        }
        catch (SqliteException ex)
        {
            SqliteStoreLog.RollbackFailed(_logger, _database.Description, ex);
        }
    }
}
