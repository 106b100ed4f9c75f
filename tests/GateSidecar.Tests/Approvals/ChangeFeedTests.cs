using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Sqlite;
using GateSidecar.Tests.Approvals.Functional;
using GateSidecar.Tests.Approvals.StoreContract;
using Microsoft.Extensions.Logging.Abstractions;

namespace GateSidecar.Tests.Approvals;

/// <summary>The in-process fan-out of changes to the streams that listen to one approval or to all.</summary>
public sealed class ChangeFeedTests : IAsyncLifetime
{
    private readonly SqliteTestDirectory _directory = new();
    private SqliteApprovalStore _sqlite = null!;
    private ObservedApprovalStore _store = null!;
    private ChangeFeed _feed = null!;

    public async ValueTask InitializeAsync()
    {
        _sqlite = new SqliteApprovalStore(_directory.DatabasePath, TimeProvider.System, NullLogger<SqliteApprovalStore>.Instance);
        await _sqlite.InitializeAsync(CancellationToken.None);
        _store = new ObservedApprovalStore(_sqlite);
        _feed = new ChangeFeed(_store);
    }

    public async ValueTask DisposeAsync()
    {
        _feed.Dispose();
        await _sqlite.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public void SeveralListenersOfOneApproval_EachHearsItsChanges_UntilDisposed()
    {
        var first = _feed.Listen("a1");
        var second = _feed.Listen("a1");
        var third = _feed.Listen("a1");
        var other = _feed.Listen("a2");
        var all = _feed.ListenAll();

        _store.Announce(Change("a1", 1));
        second.Dispose(); // the middle one
        _store.Announce(Change("a1", 2));
        _store.Announce(Change("a2", 1));
        first.Dispose();
        third.Dispose();
        _store.Announce(Change("a1", 3));

        Assert.Equal([1], Seqs(second));
        Assert.Equal([1, 2], Seqs(first));
        Assert.Equal([1, 2], Seqs(third));
        Assert.Equal([1], Seqs(other));
        Assert.Equal(["a1:1", "a1:2", "a2:1", "a1:3"], Drain(all).Select(c => $"{c.ApprovalId}:{c.Seq}"));
        Assert.Equal(1, _feed.ListenedApprovals); // a2 only
        other.Dispose();
        Assert.Equal(0, _feed.ListenedApprovals);
    }

    [Fact]
    public async Task ListenersAddedAndRemovedConcurrently_NoneIsLost()
    {
        var kept = Enumerable.Range(0, 50).Select(_ => _feed.Listen("shared")).ToList();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                _feed.Listen("shared").Dispose();
            }
        })));

        _store.Announce(Change("shared", 1));

        Assert.All(kept, l => Assert.Equal([1], Seqs(l)));
        kept.ForEach(l => l.Dispose());
        Assert.Equal(0, _feed.ListenedApprovals);
    }

    private static ApprovalChange Change(string id, long seq) => new(id, seq, ApprovalState.Pending, "p");

    private static List<ApprovalChange> Drain(ChangeListener listener)
    {
        var changes = new List<ApprovalChange>();
        while (listener.Reader.TryRead(out var change))
        {
            changes.Add(change);
        }

        return changes;
    }

    private static long[] Seqs(ChangeListener listener) => [.. Drain(listener).Select(c => c.Seq)];
}
