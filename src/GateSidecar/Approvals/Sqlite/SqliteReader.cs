using GateSidecar.Approvals.Stored;
using Microsoft.Data.Sqlite;

namespace GateSidecar.Approvals.Sqlite;

/// <summary>
/// One reader connection and the statement it keeps prepared for the hottest read, the record by
/// id (every Decide, Guard and Watch reads one): a statement made anew for each read is parsed and
/// planned by SQLite each time. Used by one read at a time (<see cref="SqliteDatabase.Lease"/>).
/// </summary>
internal sealed class SqliteReader(SqliteConnection connection) : IDisposable
{
    private SqliteCommand? _byId;

    public SqliteConnection Connection { get; } = connection;

    /// <summary>Set when a read on it failed: the connection is closed instead of kept.</summary>
    public bool Broken { get; set; }

    public StoredApproval? GetApproval(string approvalId)
    {
        if (_byId is null)
        {
            _byId = Connection.CreateCommand();
            _byId.CommandText = "SELECT data FROM approvals WHERE id = $id;";
            _byId.Parameters.Add("$id", SqliteType.Text);
            _byId.Prepare();
        }

        _byId.Parameters[0].Value = approvalId;
        using var reader = _byId.ExecuteReader();
        return reader.Read() ? StoredApproval.Parser.ParseFrom((byte[])reader.GetValue(0)) : null;
    }

    public void Dispose()
    {
        _byId?.Dispose();
        Connection.Dispose();
    }
}
