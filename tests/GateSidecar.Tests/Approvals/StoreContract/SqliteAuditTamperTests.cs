using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Sqlite;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>Tampering with the SQLite file through SQL, over a connection of its own.</summary>
public sealed class SqliteAuditTamperTests : AuditTamperTests
{
    private readonly SqliteTestDirectory _directory = new();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    private protected override IApprovalStore NewStore() =>
        new SqliteApprovalStore(_directory.DatabasePath, Clock, NullLogger<SqliteApprovalStore>.Instance);

    private protected override Task RewriteEntryAsync(long seq, Action<AuditEvent> change)
    {
        using var connection = Open();
        var entry = AuditEvent.Parser.ParseFrom((byte[])Scalar(connection, "SELECT data FROM audit WHERE seq = $seq;", ("$seq", seq))!);
        change(entry);
        Execute(connection, "UPDATE audit SET data = $data WHERE seq = $seq;", ("$data", entry.ToByteArray()), ("$seq", seq));
        return Task.CompletedTask;
    }

    private protected override Task DeleteEntryAsync(long seq)
    {
        using var connection = Open();
        Execute(connection, "DELETE FROM audit WHERE seq = $seq;", ("$seq", seq));
        return Task.CompletedTask;
    }

    private protected override Task SwapEntriesAsync(long first, long second)
    {
        using var connection = Open();
        var a = (byte[])Scalar(connection, "SELECT data FROM audit WHERE seq = $seq;", ("$seq", first))!;
        var b = (byte[])Scalar(connection, "SELECT data FROM audit WHERE seq = $seq;", ("$seq", second))!;
        Execute(connection, "UPDATE audit SET data = $data WHERE seq = $seq;", ("$data", b), ("$seq", first));
        Execute(connection, "UPDATE audit SET data = $data WHERE seq = $seq;", ("$data", a), ("$seq", second));
        return Task.CompletedTask;
    }

    private protected override Task RewriteCheckpointHashAsync(string hash)
    {
        using var connection = Open();
        Execute(connection, "UPDATE audit_checkpoint SET hash = $hash;", ("$hash", hash));
        return Task.CompletedTask;
    }

    private protected override Task DeleteCheckpointAsync()
    {
        using var connection = Open();
        Execute(connection, "DELETE FROM audit_checkpoint;");
        return Task.CompletedTask;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={_directory.DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = SqliteApprovalStore.Command(connection, sql, parameters);
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = SqliteApprovalStore.Command(connection, sql, parameters);
        Assert.True(command.ExecuteNonQuery() > 0, $"'{sql}' changed no row");
    }
}
