using System.Globalization;
using Microsoft.Data.Sqlite;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>
/// Where the database lives and how connections to it are opened. A file database has one writer
/// connection and pooled reader connections (WAL lets readers run beside the writer). The
/// <c>:memory:</c> database is a named shared-cache database kept alive by the writer connection;
/// shared-cache readers would hit table locks while a write transaction is open, so there reads and
/// write batches take turns through one gate instead.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    public const string MemoryPath = ":memory:";

    /// <summary>Reader connections kept open between reads (most recently used on top), at most this many.</summary>
    private const int MaxIdleReaders = 8;

    private readonly string _connectionString;
    private readonly SemaphoreSlim? _memoryGate;
    private readonly Stack<SqliteReader> _idleReaders = new();
    private bool _disposed;

    public SqliteDatabase(string path, TimeSpan busyTimeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var builder = new SqliteConnectionStringBuilder
        {
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
            Pooling = true,
        };
        if (path == MemoryPath)
        {
            Description = "in-memory sqlite database";
            builder.DataSource = "gate-" + Guid.NewGuid().ToString("N");
            builder.Mode = SqliteOpenMode.Memory;
            builder.Cache = SqliteCacheMode.Shared;
            _memoryGate = new SemaphoreSlim(1, 1);
        }
        else
        {
            var fullPath = Path.GetFullPath(path);
            Description = $"sqlite database at {fullPath}";
            FullPath = fullPath;
            builder.DataSource = fullPath;
            builder.Mode = SqliteOpenMode.ReadWriteCreate;
            builder.Cache = SqliteCacheMode.Private;
        }

        BusyTimeout = busyTimeout;
        _connectionString = builder.ToString();
    }

    /// <summary>For messages: "sqlite database at /path/gate.db".</summary>
    public string Description { get; }

    /// <summary>The file, or null for the in-memory database.</summary>
    public string? FullPath { get; }

    public bool InMemory => _memoryGate is not null;

    public TimeSpan BusyTimeout { get; }

    public SqliteConnection OpenWriter(bool syncEveryCommit)
    {
        if (FullPath is not null)
        {
            var directory = Path.GetDirectoryName(FullPath);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        var busyMs = ((long)BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        Execute(connection, $"PRAGMA busy_timeout = {busyMs};");
        if (!InMemory)
        {
            Execute(connection, "PRAGMA journal_mode = WAL;");
        }

        Execute(connection, syncEveryCommit ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;");
        return connection;
    }

    /// <summary>
    /// A reader connection, idle from an earlier read when there is one (with the statements it
    /// has prepared); for the in-memory database it also holds the turn.
    /// </summary>
    public async ValueTask<Lease> OpenReaderAsync(CancellationToken cancellationToken)
    {
        if (_memoryGate is not null)
        {
            await _memoryGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            SqliteReader? reader;
            lock (_idleReaders)
            {
                _idleReaders.TryPop(out reader);
            }

            if (reader is null)
            {
                var connection = new SqliteConnection(_connectionString);
                connection.Open();
                reader = new SqliteReader(connection);
            }

            return new Lease(this, reader);
        }
        catch
        {
            _memoryGate?.Release();
            throw;
        }
    }

    /// <summary>The writer's turn for one batch, blocking its thread (a no-op for a file database).</summary>
    public IDisposable? EnterWriteTurn()
    {
        if (_memoryGate is null)
        {
            return null;
        }

        _memoryGate.Wait();
        return new Turn(_memoryGate);
    }

    /// <summary>
    /// Errors of the database itself (locked by another process, disk full, I/O, corruption) become
    /// <see cref="StoreUnavailableException"/>; anything else is a defect and stays as it is.
    /// </summary>
    public Exception Translate(Exception exception)
    {
        if (exception is SqliteException sqlite && IsUnavailable(sqlite.SqliteErrorCode))
        {
            return new StoreUnavailableException($"{Description} is unavailable: {sqlite.Message}", sqlite);
        }

        return exception;
    }

    public static bool IsUnavailable(int sqliteErrorCode) => (sqliteErrorCode & 0xFF) switch
    {
        5 or 6 => true,      // BUSY, LOCKED: another process holds the lock past the busy timeout.
        7 => true,           // NOMEM
        8 => true,           // READONLY
        10 or 13 => true,    // IOERR, FULL
        11 or 26 => true,    // CORRUPT, NOTADB
        14 or 15 => true,    // CANTOPEN, PROTOCOL
        _ => false,
    };

    public void Dispose()
    {
        lock (_idleReaders)
        {
            _disposed = true;
            while (_idleReaders.TryPop(out var reader))
            {
                reader.Dispose();
            }
        }

        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _memoryGate?.Dispose();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Keeps a reader for the next read unless it failed, the database is closed or enough are idle.</summary>
    private void Return(SqliteReader reader)
    {
        var keep = false;
        lock (_idleReaders)
        {
            if (!reader.Broken && !_disposed && _idleReaders.Count < MaxIdleReaders)
            {
                _idleReaders.Push(reader);
                keep = true;
            }
        }

        if (!keep)
        {
            reader.Dispose();
        }

        _memoryGate?.Release();
    }

    internal readonly struct Lease(SqliteDatabase database, SqliteReader reader) : IDisposable
    {
        public SqliteReader Reader { get; } = reader;

        public void Dispose() => database.Return(Reader);
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
