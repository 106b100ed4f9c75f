using System.Text;
using Gate.V1;
using GateSidecar.Approvals;
using Microsoft.Extensions.Hosting;

namespace GateSidecar.Approvers.Http;

/// <summary>
/// <c>GET /api/v1/events</c>: the console's live feed as server-sent events. First a <c>snapshot</c> event
/// (the pending approvals, as <c>ListPendingResponse</c>), taken after the feed is subscribed so no
/// change falls between the two; then an <c>approval</c> event (an <c>ApprovalEvent</c>, redacted) for every
/// change of an approval in the approver's pools, or of one they were shown that left them; a comment
/// every <see cref="Heartbeat"/> so proxies and the browser see the connection alive. On a store failure
/// a <c>problem</c> event ends the stream and the browser reconnects (<c>retry: 3000</c>) to a new snapshot.
/// </summary>
internal sealed class ApproverEventStream(ApproverDesk desk, ApprovalService approvals, ChangeFeed feed, TimeProvider time, IHostApplicationLifetime lifetime)
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private const int SnapshotPages = 10;

    public void Map(IEndpointRouteBuilder routes) => routes.MapGet(ApproverAuth.EventsPath, StreamAsync);

    private async Task StreamAsync(HttpContext http)
    {
        var approver = ApproverAuth.ForEventStream(http, desk);
        if (!approver.Ok)
        {
            await ApiError.From(approver.Error!).WriteAsync(http).ConfigureAwait(false);
            return;
        }

        var pool = HttpIo.Query(http, "pool");
        var pools = desk.PoolsFor(approver.Value!, pool, out var poolError);
        if (poolError is not null)
        {
            await ApiError.From(poolError).WriteAsync(http).ConfigureAwait(false);
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = stop.Token;
        using var listener = feed.ListenAll();
        var snapshot = await SnapshotAsync(approver.Value!, pool, cancellationToken).ConfigureAwait(false);
        if (!snapshot.Ok)
        {
            await ApiError.From(snapshot.Error!).WriteAsync(http).ConfigureAwait(false);
            return;
        }

        var response = http.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        var known = new Dictionary<string, long>(StringComparer.Ordinal);
        Remember(known, snapshot.Value!);

        try
        {
            await WriteAsync(response, "retry: 3000\n\n" + Event("snapshot", null, ProtoJson.Api.Format(snapshot.Value)), cancellationToken).ConfigureAwait(false);
            await FollowAsync(response, listener, pools, known, () => SnapshotAsync(approver.Value!, pool, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (StoreUnavailableException ex)
        {
            var problem = $"{{\"status\":503,\"code\":\"UNAVAILABLE\",\"detail\":{System.Text.Json.JsonSerializer.Serialize(ex.Message)}}}";
            await WriteAsync(response, Event("problem", null, problem), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task FollowAsync(HttpResponse response, ChangeListener listener, HashSet<string> pools, Dictionary<string, long> known, Func<Task<Result<ListPendingResponse>>> snapshot, CancellationToken cancellationToken)
    {
        var readable = listener.Reader.WaitToReadAsync(cancellationToken).AsTask();
        while (true)
        {
            using (var beat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var delay = Task.Delay(Heartbeat, time, beat.Token);
                var first = await Task.WhenAny(readable, delay).ConfigureAwait(false);
                await beat.CancelAsync().ConfigureAwait(false);
                if (first != readable)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await WriteAsync(response, ": keep-alive\n\n", cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            if (!await readable.ConfigureAwait(false))
            {
                return;
            }

            while (listener.Reader.TryRead(out var change))
            {
                if (change.IsResync)
                {
                    // Changes were lost: a fresh snapshot replaces the page's list, as on a reconnect.
                    var fresh = await snapshot().ConfigureAwait(false);
                    if (fresh.Ok)
                    {
                        Remember(known, fresh.Value!);
                        await WriteAsync(response, Event("snapshot", null, ProtoJson.Api.Format(fresh.Value)), cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                }

                if (await NextEventAsync(change, pools, known, cancellationToken).ConfigureAwait(false) is { } evt)
                {
                    await WriteAsync(response, Event("approval", $"{evt.ApprovalId}:{evt.Seq}", ProtoJson.Api.Format(evt)), cancellationToken).ConfigureAwait(false);
                }
            }

            readable = listener.Reader.WaitToReadAsync(cancellationToken).AsTask();
        }
    }

    /// <summary>The redacted event to send for <paramref name="change"/>, or null when it is not this approver's.</summary>
    private async Task<ApprovalEvent?> NextEventAsync(ApprovalChange change, HashSet<string> pools, Dictionary<string, long> known, CancellationToken cancellationToken)
    {
        var wasShown = known.TryGetValue(change.ApprovalId, out var shownSeq);
        if ((!pools.Contains(change.Pool) && !wasShown) || (wasShown && change.Seq <= shownSeq))
        {
            return null;
        }

        var record = await approvals.Store.GetAsync(change.ApprovalId, cancellationToken).ConfigureAwait(false);
        if (record is null || (wasShown && record.Approval.Seq <= shownSeq))
        {
            return null;
        }

        var a = record.Approval;
        var visible = ApprovalStates.IsOpen(a.State) && pools.Contains(a.Pool);
        if (!visible && !wasShown)
        {
            return null;
        }

        // Shown once more as it leaves (decided, expired, escalated away), then forgotten.
        if (visible)
        {
            known[a.ApprovalId] = a.Seq;
        }
        else
        {
            known.Remove(a.ApprovalId);
        }

        return ApprovalService.ToPersonEvent(record);
    }

    /// <summary>What the page shows after <paramref name="snapshot"/>: its approvals at their seq, nothing else.</summary>
    private static void Remember(Dictionary<string, long> known, ListPendingResponse snapshot)
    {
        known.Clear();
        foreach (var a in snapshot.Approvals)
        {
            known[a.ApprovalId] = a.Seq;
        }
    }

    private async Task<Result<ListPendingResponse>> SnapshotAsync(Approver approver, string? pool, CancellationToken cancellationToken)
    {
        var all = new ListPendingResponse();
        string? token = null;
        for (var page = 0; page < SnapshotPages; page++)
        {
            var result = await desk.ListPendingAsync(approver, pool, ApproverDesk.MaxPageSize, token, cancellationToken).ConfigureAwait(false);
            if (!result.Ok)
            {
                return result;
            }

            all.Approvals.Add(result.Value!.Approvals);
            token = result.Value.NextPageToken;
            if (token.Length == 0)
            {
                break;
            }
        }

        all.NextPageToken = token ?? string.Empty;
        return all;
    }

    private static string Event(string name, string? id, string json) =>
        id is null ? $"event: {name}\ndata: {json}\n\n" : $"event: {name}\nid: {id}\ndata: {json}\n\n";

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
