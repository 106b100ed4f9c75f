using System.Diagnostics;
using System.Text;
using GateSidecar.Approvals.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>
/// A process writing to a SQLite store is killed with SIGKILL; every create it acknowledged must be
/// in the file afterwards. The writing process is this test assembly itself, running only
/// <see cref="Child_WritesUntilKilled"/>. Both sync modes promise this: <c>synchronous=FULL</c> (the
/// default) and <c>NORMAL</c> (<c>--sqlite-sync normal</c>, no fsync per commit) differ only when the
/// machine itself crashes, which a test cannot do.
/// </summary>
public sealed class SqliteCrashTests
{
    private const string ChildVariable = "GATE_SQLITE_CRASH_CHILD";
    private const int AcksBeforeKill = 300;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task KillMinus9_WhileWriting_EveryAcknowledgedCreateSurvives(bool syncEveryCommit)
    {
        using var directory = new SqliteTestDirectory();
        Directory.CreateDirectory(directory.Root);
        var acksPath = Path.Combine(directory.Root, "acks.txt");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "exec", typeof(SqliteCrashTests).Assembly.Location, "-method", $"{typeof(SqliteCrashTests).FullName}.{nameof(Child_WritesUntilKilled)}" })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment[ChildVariable] = directory.DatabasePath + "|" + acksPath + "|" + (syncEveryCommit ? "full" : "normal");
        var output = new StringBuilder();
        using var child = new Process { StartInfo = info };
        child.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        child.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        child.Start();
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();

        var watch = Stopwatch.StartNew();
        while (ReadAcks(acksPath).Count < AcksBeforeKill)
        {
            if (child.HasExited || watch.Elapsed > Timeout)
            {
                child.Kill(entireProcessTree: true);
                lock (output)
                {
                    Assert.Fail($"the writing process stopped or stalled before {AcksBeforeKill} acknowledgements:\n{output}");
                }
            }

            await Task.Delay(20, Ct);
        }

        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync(Ct).WaitAsync(Timeout, Ct);
        var acked = ReadAcks(acksPath);
        Assert.True(acked.Count >= AcksBeforeKill, $"only {acked.Count} acknowledgements were read back");

        await using var store = new SqliteApprovalStore(directory.DatabasePath, TimeProvider.System, NullLogger<SqliteApprovalStore>.Instance);
        await store.InitializeAsync(Ct).WaitAsync(Timeout, Ct);
        foreach (var id in acked)
        {
            Assert.NotNull(await store.GetAsync(id, Ct).AsTask().WaitAsync(Timeout, Ct));
        }

        var audit = await StoreTestBase.ReadAllAuditAsync(store).WaitAsync(Timeout, Ct);
        Assert.True(audit.Count >= acked.Count, $"{audit.Count} audit entries for {acked.Count} acknowledged creates");
        StoreTestBase.AssertValidChain(audit);
    }

    /// <summary>The child: 16 writers create records until the parent kills the process; each acknowledged id is appended to the acks file.</summary>
    [Fact]
    public async Task Child_WritesUntilKilled()
    {
        var spec = Environment.GetEnvironmentVariable(ChildVariable);
        Assert.SkipWhen(spec is null, $"Runs only as the child process of {nameof(KillMinus9_WhileWriting_EveryAcknowledgedCreateSurvives)}.");
        var parts = spec!.Split('|');
        var options = new SqliteStoreOptions { SyncEveryCommit = parts[2] == "full" };
        await using var store = new SqliteApprovalStore(parts[0], TimeProvider.System, NullLogger<SqliteApprovalStore>.Instance, options);
        await store.InitializeAsync(Ct);
        await using var acks = new FileStream(parts[1], FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var gate = new Lock();
        var stopAt = DateTime.UtcNow + Timeout;

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(
            async () =>
            {
                while (DateTime.UtcNow < stopAt)
                {
                    var record = Pending(DateTimeOffset.UtcNow);
                    await store.CreateAsync(record, Entries("created", DateTimeOffset.UtcNow), Ct);
                    var line = Encoding.UTF8.GetBytes(record.Approval.ApprovalId + "\n");
                    lock (gate)
                    {
                        acks.Write(line);
                        acks.Flush();
                    }
                }
            },
            Ct)));
    }

    /// <summary>Complete lines only: the process may die in the middle of writing one.</summary>
    private static List<string> ReadAcks(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : [.. text[..end].Split('\n')];
    }
}
