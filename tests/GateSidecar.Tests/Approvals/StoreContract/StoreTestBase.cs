using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;
using GateSidecar.Audit;
using Xunit;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>
/// Opens store instances on one test's backing data (a temporary SQLite file, an in-memory
/// database, or a key prefix on a real Redis) and disposes them at the end.
/// </summary>
public abstract class StoreTestBase : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly List<IApprovalStore> _opened = [];

    internal StoreTestClock Clock { get; } = new();

    /// <summary>The first store of the test, initialized.</summary>
    internal IApprovalStore Store { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Whether two instances made by <see cref="NewStore"/> see the same data (two sidecars).</summary>
    protected virtual bool InstancesShareData => true;

    public virtual async ValueTask InitializeAsync() => Store = await OpenAsync();

    public virtual async ValueTask DisposeAsync()
    {
        for (var i = _opened.Count - 1; i >= 0; i--)
        {
            await _opened[i].DisposeAsync().AsTask().WaitAsync(Timeout, CancellationToken.None);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A new, not yet initialized store on this test's data.</summary>
    private protected abstract IApprovalStore NewStore();

    /// <summary>
    /// Opens another store instance on this test's data (another sidecar), or initializes
    /// <paramref name="store"/>; either is disposed at the end of the test.
    /// </summary>
    internal async Task<IApprovalStore> OpenAsync(IApprovalStore? store = null)
    {
        store ??= NewStore();
        _opened.Add(store);
        await store.InitializeAsync(Ct).WaitAsync(Timeout, Ct);
        return store;
    }

    /// <summary>
    /// Creates <paramref name="record"/> and waits until its own change has been delivered, so a
    /// listener subscribed afterwards sees only what follows (delivery may be asynchronous, as with
    /// Redis pub/sub).
    /// </summary>
    internal async Task CreateQuietlyAsync(StoredApproval record, IReadOnlyList<AuditEvent> audit)
    {
        using var before = new ChangeRecorder(Store);
        await Store.CreateAsync(record, audit, Ct).AsTask().WaitAsync(Timeout, Ct);
        await before.WaitForAsync(record.Approval.ApprovalId, 1, Timeout);
    }

    internal void RequireSharedInstances()
    {
        Assert.SkipUnless(InstancesShareData, "Instances of this store do not share data.");
    }

    internal static async Task<List<AuditEvent>> ReadAllAuditAsync(IApprovalStore store)
    {
        var entries = new List<AuditEvent>();
        await foreach (var entry in store.ReadAuditAsync(Ct).WithCancellation(Ct))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Seq 1, 2, 3… each linked to the previous hash, each hash recomputed from its content.</summary>
    internal static void AssertValidChain(IReadOnlyList<AuditEvent> entries)
    {
        var previous = AuditChain.Genesis;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            Assert.Equal(i + 1, entry.Seq);
            Assert.Equal(previous, entry.PrevHash);
            Assert.Equal(AuditChain.ComputeHash(entry), entry.Hash);
            previous = entry.Hash;
        }
    }
}
