using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Sqlite;
using GateSidecar.Tests.Approvals.Functional;
using GateSidecar.Tests.Approvals.StoreContract;
using Microsoft.Extensions.Logging.Abstractions;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals;

public sealed class OutageBufferTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly SqliteTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Flush_StoreRefusesAWriteOnce_KeepsTheRecordsAndWritesThemLater_WithoutStopping()
    {
        var clock = TimeProvider.System;
        await using var sqlite = new SqliteApprovalStore(_directory.DatabasePath, clock, NullLogger<SqliteApprovalStore>.Instance);
        await sqlite.InitializeAsync(CancellationToken.None);
        var store = new ObservedApprovalStore(sqlite);
        var refusals = 0;
        store.AfterCreate = (_, _) =>
        {
            // The first write is committed and then reported failed, as a store error after the
            // commit would be: the retry must find it stored (creation is idempotent) and go on.
            if (Interlocked.Increment(ref refusals) == 1)
            {
                throw new InvalidOperationException("refused once");
            }

            return Task.CompletedTask;
        };

        using var buffer = new OutageBuffer(store, clock, NullLogger<OutageBuffer>.Instance);
        var now = clock.GetUtcNow();
        var records = Enumerable.Range(0, 3).Select(_ => Pending(now, state: ApprovalState.Allowed)).ToList();
        foreach (var record in records)
        {
            Assert.True(buffer.TryAdd(record, Entries("created", now, record.Approval.ApprovalId)));
        }

        await buffer.StartAsync(CancellationToken.None);
        var started = DateTime.UtcNow;
        while (buffer.Count > 0 && DateTime.UtcNow - started < Wait)
        {
            Assert.False(buffer.ExecuteTask!.IsCompleted, "the flush loop ended: " + buffer.ExecuteTask.Exception?.InnerException?.Message);
            await Task.Delay(50);
        }

        Assert.Equal(0, buffer.Count);
        Assert.True(refusals >= 2);
        Assert.False(buffer.ExecuteTask!.IsCompleted);
        foreach (var record in records)
        {
            Assert.Equal(record, await sqlite.GetAsync(record.Approval.ApprovalId, CancellationToken.None));
        }

        await buffer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Flush_StoreRefusesOneRecordEveryTime_WritesTheOthers_AndKeepsThatOne()
    {
        var clock = TimeProvider.System;
        await using var sqlite = new SqliteApprovalStore(_directory.DatabasePath, clock, NullLogger<SqliteApprovalStore>.Instance);
        await sqlite.InitializeAsync(CancellationToken.None);
        var store = new ObservedApprovalStore(sqlite);
        var now = clock.GetUtcNow();
        var records = Enumerable.Range(0, 4).Select(_ => Pending(now, state: ApprovalState.Allowed)).ToList();
        var refusing = true;
        var refusedId = records[0].Approval.ApprovalId;
        store.BeforeCreate = record => Volatile.Read(ref refusing) && record.Approval.ApprovalId == refusedId
            ? throw new InvalidOperationException("refused: " + refusedId)
            : Task.CompletedTask;

        using var buffer = new OutageBuffer(store, clock, NullLogger<OutageBuffer>.Instance);
        foreach (var record in records)
        {
            Assert.True(buffer.TryAdd(record, Entries("created", now, record.Approval.ApprovalId)));
        }

        // The refused one is first: the three behind it are written all the same, it stays buffered.
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => buffer.FlushAsync(CancellationToken.None)).WaitAsync(Wait);
        Assert.Contains(refusedId, refusal.Message);
        Assert.Equal(1, buffer.Count);
        Assert.Null(await sqlite.GetAsync(refusedId, CancellationToken.None));
        foreach (var record in records.Skip(1))
        {
            Assert.Equal(record, await sqlite.GetAsync(record.Approval.ApprovalId, CancellationToken.None));
        }

        // Refused again while it is the only one left; written once the store takes it.
        await Assert.ThrowsAsync<InvalidOperationException>(() => buffer.FlushAsync(CancellationToken.None)).WaitAsync(Wait);
        Assert.Equal(1, buffer.Count);
        Volatile.Write(ref refusing, false);
        Assert.Equal(1, await buffer.FlushAsync(CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(0, buffer.Count);
        Assert.Equal(records[0], await sqlite.GetAsync(refusedId, CancellationToken.None));
    }
}
