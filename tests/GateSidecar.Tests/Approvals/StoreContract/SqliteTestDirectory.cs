using Microsoft.Data.Sqlite;
using Xunit;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>A temporary directory whose database file sits in a sub-directory the store must create.</summary>
internal sealed class SqliteTestDirectory : IDisposable
{
    public SqliteTestDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "gate-store-tests", Guid.NewGuid().ToString("N"));
        DatabasePath = Path.Combine(Root, "state", "gate.db");
    }

    public string Root { get; }

    public string DatabasePath { get; }

    /// <summary>One column (the first unless told) of every row, read over a separate, unpooled connection.</summary>
    public List<string> Query(string sql, int column = 0)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(Convert.ToString(reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return values;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
    }
}
