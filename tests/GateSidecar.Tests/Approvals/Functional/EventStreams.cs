using Gate.V1;

namespace GateSidecar.Tests.Approvals.Functional;

internal static class EventStreams
{
    /// <summary>Every event of a <c>Guard</c> or <c>Watch</c> stream, read to its end.</summary>
    public static async Task<List<ApprovalEvent>> CollectAsync(IAsyncEnumerable<ApprovalEvent> stream)
    {
        var events = new List<ApprovalEvent>();
        await foreach (var e in stream)
        {
            events.Add(e);
        }

        return events;
    }

    /// <summary>
    /// Moves a just-opened <c>StreamPending</c> feed to its first event. The stream is live only
    /// once the server has accepted it, so <paramref name="create"/> makes an approval of the pool
    /// every 100 ms (50 at most) until one arrives. False when none arrived within <paramref name="wait"/>.
    /// </summary>
    public static async Task<bool> FirstEventAsync(IAsyncEnumerator<ApprovalEvent> feed, Func<Task> create, TimeSpan wait)
    {
        var first = feed.MoveNextAsync().AsTask();
        for (var i = 0; i < 50 && !first.IsCompleted; i++)
        {
            await create().WaitAsync(wait);
            await Task.WhenAny(first, Task.Delay(100));
        }

        return await first.WaitAsync(wait);
    }
}
