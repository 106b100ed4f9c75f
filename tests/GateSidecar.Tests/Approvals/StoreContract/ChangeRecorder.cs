using GateSidecar.Approvals;
using Xunit;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>Records the changes a store delivers to one subscriber.</summary>
internal sealed class ChangeRecorder : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<ApprovalChange> _changes = [];
    private readonly IDisposable _subscription;

    public ChangeRecorder(IApprovalStore store) => _subscription = store.Subscribe(Record);

    public IReadOnlyList<ApprovalChange> Changes
    {
        get
        {
            lock (_lock)
            {
                return [.. _changes];
            }
        }
    }

    /// <summary>Waits until a change for <paramref name="approvalId"/> with <paramref name="seq"/> arrived.</summary>
    public async Task<ApprovalChange> WaitForAsync(string approvalId, long seq, TimeSpan timeout)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            foreach (var change in Changes)
            {
                if (change.ApprovalId == approvalId && change.Seq == seq)
                {
                    return change;
                }
            }

            if (DateTime.UtcNow - started > timeout)
            {
                throw new TimeoutException($"no change for {approvalId} seq {seq} within {timeout.TotalSeconds}s; got: {string.Join(", ", Changes)}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    public int Count(string approvalId) => Changes.Count(c => c.ApprovalId == approvalId);

    public void Dispose() => _subscription.Dispose();

    private void Record(ApprovalChange change)
    {
        lock (_lock)
        {
            _changes.Add(change);
        }
    }
}
