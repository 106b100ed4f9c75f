using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>
/// Group commit: one thread owns the writer connection, drains every queued write into one
/// <c>BEGIN IMMEDIATE</c> transaction (each write inside its own savepoint, so one failing write
/// does not fail its neighbours), commits, and only then completes the callers' tasks and publishes
/// the changes. Acknowledged therefore means committed, and a burst of writes costs one fsync.
/// With <c>synchronous=NORMAL</c> (no fsync in a commit), a write that finds the writer idle
/// (nothing committing, nothing queued) is committed at once on its caller's thread instead,
/// through the same batch code; writes arriving meanwhile queue for the thread. One batch at a time
/// either way, so changes are still published in commit order.
/// </summary>
/// <remarks>
/// The loop has a thread of its own rather than a thread-pool turn: a commit blocks in fsync for
/// milliseconds, and a loop resumed through the pool waits behind whatever else is queued there
/// when a write arrives; a parked thread is woken directly by the enqueuing caller. It parks with
/// <see cref="Monitor.Wait(object)"/>, which sleeps at once: a semaphore's wait spins and yields
/// first, and between commits at moderate rates that spinning cost more CPU than the commits.
/// The caller's own commit saves the two thread hand-offs of a lone write (waking the writer, then
/// the caller's continuation once committed), which is most writes at moderate rates without
/// fsync. With <c>FULL</c> it is not taken: the caller would block in fsync while the next writes
/// queue, and those then wait for the thread to be woken (measured: `Check` p99 at 1,000 calls/s
/// higher in 6 of 6 interleaved pairs). The in-memory database does not take it either: its
/// batches take turns with reads through a gate this would block a pool thread on.
/// </remarks>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Queue<SqliteWriteOperation> _queue = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _closed;
    private bool _parked;
    private bool _busy; // a batch is being committed, by the thread or by a caller
    private readonly bool _callerCommits;

    private readonly SqliteDatabase _database;
    private readonly SqliteConnection _connection;
    private readonly SqliteWriteCommands _commands;
    private readonly SqliteWriteContext _context;
    private readonly int _maxBatchSize;
    private readonly TimeProvider _time;
    private readonly Action<ApprovalChange> _publish;
    private readonly ILogger _logger;

    public SqliteWriter(
        SqliteDatabase database, SqliteConnection connection, int maxBatchSize, bool callerCommits, TimeProvider time,
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
        _callerCommits = callerCommits && !database.InMemory;
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

            if (_busy || _queue.Count > 0 || !_callerCommits)
            {
                _queue.Enqueue(operation);
                if (!_busy)
                {
                    Unpark();
                }

                return operation.Task;
            }

            _busy = true;
        }

        CommitOnCallersThread(operation);
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
                    CommitBatch(CollectionsMarshal.AsSpan(batch));
                }

                lock (_gate)
                {
                    _busy = false;
                }
            }

            _stopped.TrySetResult();
        }
        catch (Exception ex)
        {
            _stopped.TrySetException(ex);
        }
    }

    /// <summary>The caller's write, alone in its batch; then the thread takes what queued meanwhile.</summary>
    private void CommitOnCallersThread(SqliteWriteOperation operation)
    {
        try
        {
            if (operation.TryStart())
            {
                CommitBatch(new ReadOnlySpan<SqliteWriteOperation>(in operation));
            }
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
        }
        finally
        {
            lock (_gate)
            {
                _busy = false;
                if (_queue.Count > 0 || _closed)
                {
                    Unpark();
                }
            }
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
    /// Fills <paramref name="batch"/> with queued writes (those whose callers gave up are dropped)
    /// and marks the writer busy, parking the thread while there are none or a caller is committing;
    /// false once closed and drained.
    /// </summary>
    private bool Take(List<SqliteWriteOperation> batch)
    {
        batch.Clear();
        lock (_gate)
        {
            while (true)
            {
                if (!_busy)
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
                        _busy = true;
                        return true;
                    }

                    if (_closed)
                    {
                        return false;
                    }
                }

                _parked = true;
                Monitor.Wait(_gate);
            }
        }
    }

    private void CommitBatch(ReadOnlySpan<SqliteWriteOperation> batch)
    {
        Span<bool> failed = batch.Length <= 256 ? stackalloc bool[batch.Length] : new bool[batch.Length];
        try
        {
            _commands.Begin();
            _context.NowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            (_context.HeadSeq, _context.HeadHash) = _commands.ReadHead();
            for (var i = 0; i < batch.Length; i++)
            {
                failed[i] = !TryExecute(batch[i]);
            }

            _commands.Commit();
        }
        catch (Exception ex)
        {
            TryRollback();
            var error = _database.Translate(ex);
            SqliteStoreLog.BatchFailed(_logger, batch.Length, _database.Description, ex);
            for (var i = 0; i < batch.Length; i++)
            {
                if (!failed[i])
                {
                    batch[i].Fail(error);
                }
            }

            return;
        }

        for (var i = 0; i < batch.Length; i++)
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
