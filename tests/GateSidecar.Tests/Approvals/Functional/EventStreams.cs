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
}
