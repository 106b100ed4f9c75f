using GateSidecar.Approvals.Sqlite;
using GateSidecar.Approvals;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>
/// Durability and outages on a SQLite file. The outage is another process holding the write lock
/// (<c>BEGIN EXCLUSIVE</c>) past the busy timeout: the failure an embedded database actually has.
/// </summary>
public sealed class SqliteApprovalStoreDurabilityTests : ApprovalStoreDurabilityContractTests
{
    private readonly SqliteTestDirectory _directory = new();
    private SqliteConnection? _locker;

    private protected override string BackendDescription => "sqlite database at " + _directory.DatabasePath;

    private protected override IApprovalStore NewStore() =>
        new SqliteApprovalStore(
            _directory.DatabasePath, Clock, NullLogger<SqliteApprovalStore>.Instance, new SqliteStoreOptions { BusyTimeout = TimeSpan.FromSeconds(1) });

    public override async ValueTask DisposeAsync()
    {
        _locker?.Dispose();
        await base.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>
    /// The first store is abandoned as it is (no dispose, no checkpoint: its commits are only in the
    /// WAL) and a new one reads the file. The real kill -9 of a writing process is
    /// <see cref="SqliteCrashTests"/>.
    /// </summary>
    private protected override Task CrashAndRestartAsync() => Task.CompletedTask;

    private protected override Task MakeUnreachableAsync()
    {
        _locker = new SqliteConnection($"Data Source={_directory.DatabasePath};Pooling=False");
        _locker.Open();
        using var command = _locker.CreateCommand();
        command.CommandText = "BEGIN EXCLUSIVE;";
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    private protected override Task MakeReachableAsync()
    {
        _locker?.Dispose();
        _locker = null;
        return Task.CompletedTask;
    }
}
