using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>
/// Group commit: one thread owns the writer connection, drains every queued write into one
/// <c>BEGIN IMMEDIATE</c> transaction (each write inside its own savepoint, so one failing write
/// does not fail its neighbours), commits, and only then completes the callers' tasks and publishes
/// the changes. Acknowledged therefore means committed, and a burst of writes costs one fsync.
/// </summary>
/// <remarks>
/// The loop has a thread of its own rather than a thread-pool turn: a commit blocks in fsync for
/// milliseconds, and a loop resumed through the pool waits behind whatever else is queued there
/// when a write arrives; a parked thread is woken directly by the enqueuing caller. It parks with
/// <see cref="Monitor.Wait(object)"/>, which sleeps at once: a semaphore's wait spins and yields
/// first, and between commits at moderate rates that spinning cost more CPU than the commits.
/// </remarks>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Queue<SqliteWriteOperation> _queue = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _closed;
    private bool _parked;

    private readonly SqliteDatabase _database;
    private readonly SqliteConnection _connection;
    private readonly SqliteWriteCommands _commands;
    private readonly SqliteWriteContext _context;
    private readonly int _maxBatchSize;
    private readonly TimeProvider _time;
    private readonly Action<ApprovalChange> _publish;
    private readonly ILogger _logger;

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
        new Thread(Run) { IsBackground = true, Name = "gate-sqlite-writer" }.UnsafeStart(); // no caller context (Activity, scopes) carried into the loop
    }

    public Task<T> Enqueue<T>(SqliteWriteOperation<T> operation)
    {
        lock (_gate)
        {
            if (_closed)
            {
                throw new ObjectDisposedException(nameof(SqliteApprovalStore), "The sqlite store is closed.");
            }

            _queue.Enqueue(operation);
            Unpark();
        }

        return operation.Task;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _closed = true;
            Unpark();
        }

        await _stopped.Task.ConfigureAwait(false);
        _commands.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private void Run()
    {
        try
        {
            var batch = new List<SqliteWriteOperation>(_maxBatchSize);
            while (Take(batch))
            {
                using (_database.EnterWriteTurn())
                {
                    CommitBatch(batch);
                }
            }

            _stopped.TrySetResult();
        }
        catch (Exception ex)
        {
            _stopped.TrySetException(ex);
        }
    }

    /// <summary>Under <see cref="_gate"/>: wakes the writer thread if it is parked.</summary>
    private void Unpark()
    {
        if (_parked)
        {
            _parked = false;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>
    /// Fills <paramref name="batch"/> with queued writes (those whose callers gave up are dropped),
    /// parking the thread while there are none; false once closed and drained.
    /// </summary>
    private bool Take(List<SqliteWriteOperation> batch)
    {
        batch.Clear();
        lock (_gate)
        {
            while (true)
            {
                while (batch.Count < _maxBatchSize && _queue.TryDequeue(out var operation))
                {
                    if (operation.TryStart())
                    {
                        batch.Add(operation);
                    }
                }

                if (batch.Count > 0)
                {
                    return true;
                }

                if (_closed)
                {
                    return false;
                }

                _parked = true;
                Monitor.Wait(_gate);
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
