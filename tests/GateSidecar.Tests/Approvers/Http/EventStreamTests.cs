using System.Net;
using System.Text;
using System.Text.Json;
using GateSidecar.Tests.Infrastructure;

namespace GateSidecar.Tests.Approvers.Http;

/// <summary>The console's live feed: server-sent events, authenticated by header, events cookie or access_token.</summary>
public sealed class EventStreamTests : IAsyncLifetime
{
    private ApproverSidecar _sidecar = null!;

    public async ValueTask InitializeAsync() => _sidecar = await ApproverSidecar.StartAsync();

    public async ValueTask DisposeAsync() => await _sidecar.DisposeAsync();

    /// <summary>Reads server-sent events (name, data) from an open response.</summary>
    internal sealed class SseReader(Stream stream) : IDisposable
    {
        private readonly StreamReader _reader = new(stream, Encoding.UTF8);

        public async Task<(string Name, JsonElement Data)> NextAsync(TimeSpan? timeout = null)
        {
            string? name = null;
            string? data = null;
            while (true)
            {
                var line = await _reader.ReadLineAsync().WaitAsync(timeout ?? TestTimeouts.Default) ?? throw new EndOfStreamException("the event stream ended");
                if (line.Length == 0)
                {
                    if (data is not null)
                    {
                        return (name ?? "message", JsonDocument.Parse(data).RootElement.Clone());
                    }

                    continue;
                }

                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
            }
        }

        public void Dispose() => _reader.Dispose();
    }

    private Task<(HttpResponseMessage Response, SseReader Reader)> OpenAsync(string path, Action<HttpRequestMessage>? configure = null) =>
        OpenAsync(_sidecar, path, configure);

    /// <summary>Opens the feed at <paramref name="path"/> of <paramref name="sidecar"/> and checks it is an event stream.</summary>
    internal static async Task<(HttpResponseMessage Response, SseReader Reader)> OpenAsync(ApproverSidecar sidecar, string path, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        configure?.Invoke(request);
        var response = await sidecar.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WithTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return (response, new SseReader(await response.Content.ReadAsStreamAsync().WithTimeout()));
    }

    [Fact]
    public async Task Events_SnapshotThenLiveChangesOfThePool()
    {
        var before = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var (response, events) = await OpenAsync("/api/v1/events?access_token=alice-token");
        using (response)
        using (events)
        {
            var snapshot = await events.NextAsync();
            Assert.Equal("snapshot", snapshot.Name);
            Assert.Contains(snapshot.Data.GetProperty("approvals").EnumerateArray(), a => a.GetProperty("approvalId").GetString() == before);

            var created = await _sidecar.PendingAsync(ApproverSidecar.Refund(950));
            var live = await events.NextAsync();
            Assert.Equal("approval", live.Name);
            Assert.Equal(created, live.Data.GetProperty("approvalId").GetString());
            Assert.Equal("APPROVAL_STATE_PENDING", live.Data.GetProperty("state").GetString());
            Assert.Equal("***", live.Data.GetProperty("approval").GetProperty("request").GetProperty("arguments").GetProperty("card_number").GetString());

            await _sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{before}/decision", "bob", "{\"verdict\":\"APPROVE\"}");
            var decided = await events.NextAsync();
            Assert.Equal((before, "APPROVAL_STATE_APPROVED", "approver:bob"), (decided.Data.GetProperty("approvalId").GetString(), decided.Data.GetProperty("state").GetString(), decided.Data.GetProperty("actor").GetString()));
        }
    }

    [Fact]
    public async Task Events_AfterLostChanges_SendAFreshSnapshot()
    {
        // A store that reports lost changes (a Redis subscription gap longer than its change log).
        Approvals.Functional.ObservedApprovalStore? store = null;
        await using var sidecar = await ApproverSidecar.StartAsync(wrapStore: inner => store = new Approvals.Functional.ObservedApprovalStore(inner));
        var decided = await sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events?access_token=alice-token");
        using var response = await sidecar.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WithTimeout();
        using var events = new SseReader(await response.Content.ReadAsStreamAsync().WithTimeout());
        Assert.Equal("snapshot", (await events.NextAsync()).Name);

        // Every announcement lost: one approval created, the one on the page decided.
        store!.DropChange = _ => true;
        var missed = await sidecar.PendingAsync(ApproverSidecar.Refund(910));
        await sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{decided}/decision", "bob", "{\"verdict\":\"APPROVE\"}");
        store.DropChange = null;
        store.Announce(GateSidecar.Approvals.ApprovalChange.Resync);

        var fresh = await events.NextAsync();
        Assert.Equal("snapshot", fresh.Name);
        var ids = fresh.Data.GetProperty("approvals").EnumerateArray().Select(a => a.GetProperty("approvalId").GetString()).ToList();
        Assert.Contains(missed, ids);
        Assert.DoesNotContain(decided, ids);

        // Live changes follow it as before.
        var created = await sidecar.PendingAsync(ApproverSidecar.Refund(950));
        var live = await events.NextAsync();
        Assert.Equal(("approval", created), (live.Name, live.Data.GetProperty("approvalId").GetString()));
    }

    [Fact]
    public async Task Events_OtherPoolsAreNotStreamed()
    {
        var (response, events) = await OpenAsync("/api/v1/events", r => r.Headers.Authorization = new("Bearer", "carol-token"));
        using (response)
        using (events)
        {
            Assert.Equal("snapshot", (await events.NextAsync()).Name);
            await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
            var ops = await _sidecar.PendingAsync(new Gate.V1.CheckRequest
            {
                CallId = "bulk-" + Guid.NewGuid().ToString("N"),
                Tool = "db.update",
                Agent = new Gate.V1.AgentContext { AgentId = "etl", Tenant = "acme" },
                Arguments = new Google.Protobuf.WellKnownTypes.Struct { Fields = { ["ids"] = Google.Protobuf.WellKnownTypes.Value.ForList([.. Enumerable.Range(0, 150).Select(i => Google.Protobuf.WellKnownTypes.Value.ForNumber(i))]) } },
            });

            // The finance refund came first but is not carol's: the first event she gets is the ops one.
            var first = await events.NextAsync();
            Assert.Equal(ops, first.Data.GetProperty("approvalId").GetString());
        }
    }

    [Fact]
    public async Task Events_AcceptTheSignInCookie()
    {
        var session = await _sidecar.SendAsync(HttpMethod.Post, "/api/v1/session", "erin", "{}");
        var cookie = session.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        var (response, events) = await OpenAsync("/api/v1/events", r => r.Headers.Add("Cookie", cookie));
        using (response)
        using (events)
        {
            Assert.Equal("snapshot", (await events.NextAsync()).Name);
        }
    }

    [Fact]
    public async Task Events_WithoutOrWithAWrongToken_Are401()
    {
        var none = await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/events");
        Assert.Contains("access_token", await ApprovalsApiTests.ProblemAsync(none, HttpStatusCode.Unauthorized, "UNAUTHENTICATED"));
        var wrong = await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/events?access_token=mallory-token");
        await ApprovalsApiTests.ProblemAsync(wrong, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task Cookie_IsNotAcceptedByTheDecisionApi()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/approvals/{id}/decision")
        {
            Content = new StringContent("{\"verdict\":\"APPROVE\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Cookie", "gate_events=alice-token");
        var response = await _sidecar.Http.SendAsync(request).WithTimeout();
        await ApprovalsApiTests.ProblemAsync(response, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }
}
