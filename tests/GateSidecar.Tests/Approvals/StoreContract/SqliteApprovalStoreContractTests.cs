using Gate.V1;
using GateSidecar.Approvals.Sqlite;
using GateSidecar.Approvals;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>The contract on a SQLite file (in a directory the store creates), plus SQLite's own rules.</summary>
public sealed class SqliteApprovalStoreContractTests : ApprovalStoreContractTests
{
    private readonly SqliteTestDirectory _directory = new();

    private protected override IApprovalStore NewStore() =>
        new SqliteApprovalStore(_directory.DatabasePath, Clock, NullLogger<SqliteApprovalStore>.Instance);

    /// <summary>A second store on its own file with synchronous=NORMAL, disposed with the test.</summary>
    private Task<IApprovalStore> OpenNormalSyncAsync() => OpenAsync(new SqliteApprovalStore(
        Path.Combine(Path.GetDirectoryName(_directory.DatabasePath)!, "normal.db"), Clock, NullLogger<SqliteApprovalStore>.Instance,
        new SqliteStoreOptions { SyncEveryCommit = false }));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Open_FileDatabase_CreatesItsDirectoryAndUsesWal()
    {
        await Store.CreateAsync(Pending(Clock.Now), [], Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.True(File.Exists(_directory.DatabasePath));
        using var connection = new SqliteConnection($"Data Source={_directory.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task Write_WriterIdleWithoutFsync_IsCommittedBeforeTheCallReturns()
    {
        var store = await OpenNormalSyncAsync();
        await store.CreateAsync(Pending(Clock.Now), Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var record = Pending(Clock.Now);

        var write = store.CreateAsync(record, Entries("created", Clock.Now), Ct);

        Assert.True(write.IsCompleted, "a lone write on an idle file database with synchronous=NORMAL is committed on the caller's thread, not handed to the writer thread");
        Assert.True((await write).Created);
        Assert.Equal(record, await store.GetAsync(record.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Writes_WhileABatchCommits_WaitForItThenCommitInArrivalOrder(bool fsyncEveryCommit)
    {
        var store = fsyncEveryCommit ? Store : await OpenNormalSyncAsync();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var published = new List<string>();
        using var blocker = store.Subscribe(change =>
        {
            lock (published)
            {
                published.Add(change.ApprovalId);
            }

            if (!entered.IsSet)
            {
                entered.Set();
                release.Wait(Timeout); // holds the commit in progress, as a slow fsync would
            }
        });
        var first = Pending(Clock.Now);
        var firstWrite = Task.Run(() => store.CreateAsync(first, Entries("created", Clock.Now), Ct).AsTask(), Ct);
        Assert.True(entered.Wait(Timeout), "the first write was not committed");

        var queued = Enumerable.Range(0, 10).Select(_ => Pending(Clock.Now)).ToArray();
        var writes = queued.Select(record => store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask()).ToArray();
        await Task.Delay(200, Ct);
        Assert.All(writes, write => Assert.False(write.IsCompleted, "a write completed while another batch was still committing"));

        release.Set();
        await Task.WhenAll(writes.Append(firstWrite)).WaitAsync(Timeout, Ct);

        Assert.All(writes.Append(firstWrite), write => Assert.True(write.Result.Created));
        lock (published)
        {
            Assert.Equal([first.Approval.ApprovalId, .. queued.Select(r => r.Approval.ApprovalId)], published);
        }

        var audit = await ReadAllAuditAsync(store).WaitAsync(Timeout, Ct);
        Assert.Equal(11, audit.Count);
        AssertValidChain(audit);
    }

    [Fact]
    public async Task Reads_KeptReaderConnections_HoldNoSnapshotAndSeeEachCommit()
    {
        var deadline = Clock.Now.AddSeconds(-1);
        var record = Pending(Clock.Now, deadlineMs: deadline.ToUnixTimeMilliseconds());
        await Store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Store.GetAsync(record.Approval.ApprovalId, Ct).AsTask())).WaitAsync(Timeout, Ct);
        var due = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Store.DueIdsAsync(Clock.Now, 10, Ct))).WaitAsync(Timeout, Ct);
        var next = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Store.GetNextDeadlineAsync(DateTimeOffset.MinValue, Ct).AsTask())).WaitAsync(Timeout, Ct);
        Assert.All(due, ids => Assert.Equal([record.Approval.ApprovalId], ids));
        Assert.All(next, at => Assert.Equal(deadline, at));

        // A kept reader that still held its statement open would pin a snapshot: the checkpoint
        // could not truncate the WAL (busy), and the next read would miss the update.
        using (var connection = new SqliteConnection($"Data Source={_directory.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            using var result = command.ExecuteReader();
            Assert.True(result.Read());
            Assert.Equal(0L, result.GetInt64(0));
        }

        var approved = Next(record, ApprovalState.Approved);
        Assert.True(await Store.TryUpdateAsync(approved, 1, Entries("approved", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal(approved, await Store.GetAsync(record.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Empty(await Store.DueIdsAsync(Clock.Now, 10, Ct).WaitAsync(Timeout, Ct));
        Assert.Null(await Store.GetNextDeadlineAsync(DateTimeOffset.MinValue, Ct).AsTask().WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Reopen_AfterCleanShutdown_SeesRecordsIndexesTokensAndChain()
    {
        var record = Pending(Clock.Now, pool: "finance", deadlineMs: Clock.Now.AddMinutes(1).ToUnixTimeMilliseconds());
        await Store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.TryConsumeTokenAsync("jti-1", Clock.Now.AddMinutes(5), Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.DisposeAsync().AsTask().WaitAsync(Timeout, Ct);

        var reopened = await OpenAsync();

        Assert.Equal(record, await reopened.GetAsync(record.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal([record], (await reopened.ListPendingAsync(["finance"], null, 10, Ct).AsTask().WaitAsync(Timeout, Ct)).Items);
        Assert.Equal(Clock.Now.AddMinutes(1), await reopened.GetNextDeadlineAsync(DateTimeOffset.MinValue, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.False(await reopened.TryConsumeTokenAsync("jti-1", Clock.Now.AddMinutes(5), Ct).AsTask().WaitAsync(Timeout, Ct));
        await reopened.CreateAsync(Pending(Clock.Now), Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        var audit = await ReadAllAuditAsync(reopened).WaitAsync(Timeout, Ct);
        Assert.Equal(2, audit.Count);
        AssertValidChain(audit);
    }

    [Fact]
    public async Task Prune_TerminalRecordsOlderThanCutoff_AreDeletedButPendingAndAuditStay()
    {
        var old = Pending(Clock.Now);
        var stillPending = Pending(Clock.Now);
        await Store.CreateAsync(old, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.CreateAsync(stillPending, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.True(await Store.TryUpdateAsync(Next(old, ApprovalState.Rejected), 1, Entries("rejected", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct));
        Clock.Advance(TimeSpan.FromDays(8));
        var recent = Pending(Clock.Now);
        await Store.CreateAsync(recent, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.True(await Store.TryUpdateAsync(Next(recent, ApprovalState.Approved), 1, [], Ct).AsTask().WaitAsync(Timeout, Ct));

        var deleted = await Store.PruneAsync(Clock.Now.AddDays(-7), Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.Equal(1, deleted);
        Assert.Null(await Store.GetAsync(old.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.NotNull(await Store.GetAsync(stillPending.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.NotNull(await Store.GetAsync(recent.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Equal(3, (await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct)).Count);
    }

    [Fact]
    public async Task Prune_RecordCreatedBeforeTheCutoffButDecidedAfterIt_Stays()
    {
        var oldTerminal = Pending(Clock.Now, state: ApprovalState.Allowed);
        var decidedLate = Pending(Clock.Now);
        await Store.CreateAsync(oldTerminal, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.CreateAsync(decidedLate, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        Clock.Advance(TimeSpan.FromDays(8));
        Assert.True(await Store.TryUpdateAsync(Next(decidedLate, ApprovalState.Approved), 1, [], Ct).AsTask().WaitAsync(Timeout, Ct));
        var afterIt = Pending(Clock.Now.AddDays(-7.5), state: ApprovalState.Allowed); // created before the cutoff, inserted last
        await Store.CreateAsync(afterIt, [], Ct).AsTask().WaitAsync(Timeout, Ct);

        var deleted = await Store.PruneAsync(Clock.Now.AddDays(-7), Ct).AsTask().WaitAsync(Timeout, Ct);

        // Only the record both created and last written before the cutoff goes; the late decision
        // keeps its record, and so does the one written now, whatever its creation time says.
        Assert.Equal(1, deleted);
        Assert.Null(await Store.GetAsync(oldTerminal.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.NotNull(await Store.GetAsync(decidedLate.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.NotNull(await Store.GetAsync(afterIt.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Prune_SearchesRowidsBelowTheFirstRecordCreatedAfterTheCutoff_WithoutAnIndexOnUpdatedMs()
    {
        await Store.CreateAsync(Pending(Clock.Now), [], Ct).AsTask().WaitAsync(Timeout, Ct);

        // Terminal writes no longer feed an index on updated_ms; retention reads rowids instead of
        // scanning the whole table or sorting.
        Assert.Empty(_directory.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%updated_ms%';"));
        var plan = _directory.Query("EXPLAIN QUERY PLAN " + SqliteWriteCommands.PruneApprovals, column: 3); // the step's detail
        Assert.Contains(plan, step => step.Contains("SEARCH approvals USING INTEGER PRIMARY KEY (rowid<?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_FileWithTheFormerUpdatedMsIndex_DropsIt()
    {
        await Store.CreateAsync(Pending(Clock.Now), [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.DisposeAsync().AsTask().WaitAsync(Timeout, Ct);
        _directory.Query("CREATE INDEX approvals_terminal_by_updated ON approvals (updated_ms) WHERE state NOT IN (1, 2);");
        Assert.Single(_directory.Query("SELECT name FROM sqlite_master WHERE name = 'approvals_terminal_by_updated';"));

        var reopened = await OpenAsync();
        await reopened.CreateAsync(Pending(Clock.Now), [], Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.Empty(_directory.Query("SELECT name FROM sqlite_master WHERE name = 'approvals_terminal_by_updated';"));
        Assert.Equal(["2"], _directory.Query("SELECT count(*) FROM approvals;"));
    }

    [Fact]
    public async Task Prune_TokenIdsPastExpiryAndMargin_AreForgotten()
    {
        Assert.True(await Store.TryConsumeTokenAsync("jti-old", Clock.Now.AddMinutes(5), Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.True(await Store.TryConsumeTokenAsync("jti-live", Clock.Now.AddHours(2), Ct).AsTask().WaitAsync(Timeout, Ct));
        Clock.Advance(TimeSpan.FromHours(1));

        await Store.PruneAsync(Clock.Now.AddDays(-7), Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.Equal(["jti-live"], _directory.Query("SELECT jti FROM used_tokens ORDER BY jti;"));
        Assert.False(await Store.TryConsumeTokenAsync("jti-live", Clock.Now.AddHours(1), Ct).AsTask().WaitAsync(Timeout, Ct));
    }
}

/// <summary>The contract on a throw-away in-memory database (instances do not share data).</summary>
public sealed class SqliteInMemoryApprovalStoreContractTests : ApprovalStoreContractTests
{
    protected override bool InstancesShareData => false;

    private protected override IApprovalStore NewStore() =>
        new SqliteApprovalStore(SqliteDatabase.MemoryPath, Clock, NullLogger<SqliteApprovalStore>.Instance);
}
