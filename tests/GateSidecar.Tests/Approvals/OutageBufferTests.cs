using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Sqlite;
using GateSidecar.Tests.Approvals.Functional;
using GateSidecar.Tests.Approvals.StoreContract;
using Microsoft.Extensions.Logging.Abstractions;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals;

/// <summary>The outage buffer's flush against a real SQLite store that refuses writes through a wrapper.</summary>
public sealed class OutageBufferTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly TimeProvider _clock = TimeProvider.System;
    private readonly SqliteTestDirectory _directory = new();
    private SqliteApprovalStore _sqlite = null!;
    private ObservedApprovalStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        _sqlite = new SqliteApprovalStore(_directory.DatabasePath, _clock, NullLogger<SqliteApprovalStore>.Instance);
        await _sqlite.InitializeAsync(CancellationToken.None);
        _store = new ObservedApprovalStore(_sqlite);
    }

    public async ValueTask DisposeAsync()
    {
        await _sqlite.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Flush_StoreRefusesAWriteOnce_KeepsTheRecordsAndWritesThemLater_WithoutStopping()
    {
        var refusals = 0;
        _store.AfterCreate = (_, _) =>
        {
            // The first write is committed and then reported failed, as a store error after the
            // commit would be: the retry must find it stored (creation is idempotent) and go on.
            if (Interlocked.Increment(ref refusals) == 1)
            {
                throw new InvalidOperationException("refused once");
            }

            return Task.CompletedTask;
        };

        using var buffer = new OutageBuffer(_store, _clock, NullLogger<OutageBuffer>.Instance);
        var now = _clock.GetUtcNow();
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
            Assert.Equal(record, await _sqlite.GetAsync(record.Approval.ApprovalId, CancellationToken.None));
        }

        await buffer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Flush_StoreRefusesOneRecordEveryTime_WritesTheOthers_AndKeepsThatOne()
    {
        var now = _clock.GetUtcNow();
        var records = Enumerable.Range(0, 4).Select(_ => Pending(now, state: ApprovalState.Allowed)).ToList();
        var refusing = true;
        var refusedId = records[0].Approval.ApprovalId;
        _store.BeforeCreate = record => Volatile.Read(ref refusing) && record.Approval.ApprovalId == refusedId
            ? throw new InvalidOperationException("refused: " + refusedId)
            : Task.CompletedTask;

        using var buffer = new OutageBuffer(_store, _clock, NullLogger<OutageBuffer>.Instance);
        foreach (var record in records)
        {
            Assert.True(buffer.TryAdd(record, Entries("created", now, record.Approval.ApprovalId)));
        }

        // The refused one is first: the three behind it are written all the same, it stays buffered.
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => buffer.FlushAsync(CancellationToken.None)).WaitAsync(Wait);
        Assert.Contains(refusedId, refusal.Message);
        Assert.Equal(1, buffer.Count);
        Assert.Null(await _sqlite.GetAsync(refusedId, CancellationToken.None));
        foreach (var record in records.Skip(1))
        {
            Assert.Equal(record, await _sqlite.GetAsync(record.Approval.ApprovalId, CancellationToken.None));
        }

        // Refused again while it is the only one left; written once the store takes it.
        await Assert.ThrowsAsync<InvalidOperationException>(() => buffer.FlushAsync(CancellationToken.None)).WaitAsync(Wait);
        Assert.Equal(1, buffer.Count);
        Volatile.Write(ref refusing, false);
        Assert.Equal(1, await buffer.FlushAsync(CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(0, buffer.Count);
        Assert.Equal(records[0], await _sqlite.GetAsync(refusedId, CancellationToken.None));
    }
}
