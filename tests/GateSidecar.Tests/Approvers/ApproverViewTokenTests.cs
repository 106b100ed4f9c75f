using System.Text.Json;
using Gate.Client;
using Gate.V1;
using GateSidecar.Tests.Approvals;
using GateSidecar.Tests.Approvals.Functional;
using GateSidecar.Tests.Approvers.Http;

namespace GateSidecar.Tests.Approvers;

/// <summary>
/// The execution token belongs to the agent: an approver's view of an approved call (the Decide
/// and DecideBatch answers, StreamPending's closing event, the console's JSON API and live feed) never carries it, also under a
/// policy with no redact paths (with them the redacted copy already dropped it).
/// </summary>
public sealed class ApproverViewTokenTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private ApproverSidecar _sidecar = null!;

    public async ValueTask InitializeAsync()
    {
        var withoutRedaction = TestPolicies.Yaml.Replace("redact: [args.card_number, args.password]", string.Empty, StringComparison.Ordinal);
        Assert.NotEqual(TestPolicies.Yaml, withoutRedaction);
        _sidecar = await ApproverSidecar.StartAsync(policyYaml: withoutRedaction);
    }

    public async ValueTask DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task ApprovedCall_TokenReachesTheAgentOnly()
    {
        using var cts = new CancellationTokenSource(Wait);
        var feed = _sidecar.As("alice").StreamPending(new StreamPendingRequest { Pool = "finance" }, new CallOptions(cancellationToken: cts.Token)).GetAsyncEnumerator(cts.Token);
        Assert.True(await EventStreams.FirstEventAsync(feed, () => _sidecar.Gate.CheckAsync(ApproverSidecar.Refund(901)), Wait)); // the feed is live
        var guard = _sidecar.Gate.Guard(ApproverSidecar.Refund(900)).GetAsyncEnumerator(cts.Token);
        Assert.True(await guard.MoveNextAsync());
        var id = guard.Current.ApprovalId;
        Assert.Equal(ApprovalState.Pending, guard.Current.State);
        Assert.Equal("4111111111111111", guard.Current.Approval.Request.Arguments.Fields["card_number"].StringValue); // no redaction here

        await MoveToAsync(feed, id, ApprovalState.Pending);
        var decided = await _sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = id, Verdict = DecisionVerdict.Approve }).WaitAsync(Wait);
        Assert.Equal(ApprovalState.Approved, decided.State);
        Assert.Empty(decided.Token);

        var shown = await MoveToAsync(feed, id, ApprovalState.Approved);
        Assert.Empty(shown.Approval.Token);

        var api = await ApprovalsApiTests.JsonAsync(await _sidecar.SendAsync(HttpMethod.Get, $"/api/v1/approvals/{id}", "alice"));
        Assert.Equal("APPROVAL_STATE_APPROVED", api.GetProperty("state").GetString());
        Assert.True(!api.TryGetProperty("token", out var token) || string.IsNullOrEmpty(token.GetString()));

        Assert.True(await guard.MoveNextAsync());
        Assert.Equal(ApprovalState.Approved, guard.Current.State);
        Assert.Equal(3, guard.Current.Approval.Token.Split('.').Length);
        var agentView = await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(Wait);
        Assert.Equal(guard.Current.Approval.Token, agentView.Token);
        await guard.DisposeAsync();
        await feed.DisposeAsync();
    }

    [Fact]
    public async Task DecideBatch_AnswersWithoutTokens()
    {
        var first = (await _sidecar.Gate.CheckAsync(ApproverSidecar.Refund(900)).WaitAsync(Wait)).ApprovalId;
        var second = (await _sidecar.Gate.CheckAsync(ApproverSidecar.Refund(901)).WaitAsync(Wait)).ApprovalId;

        var batch = await _sidecar.As("alice").DecideBatchAsync(new DecideBatchRequest { ApprovalIds = { first, second }, Verdict = DecisionVerdict.Approve }).WaitAsync(Wait);

        Assert.Equal(2, batch.Results.Count);
        Assert.All(batch.Results, r => Assert.Equal((0, ApprovalState.Approved, string.Empty), (r.Code, r.Approval.State, r.Approval.Token)));
        var agentView = await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = first }).WaitAsync(Wait);
        Assert.NotEmpty(agentView.Token);
    }

    [Fact]
    public async Task ConsoleFeed_ApprovedEventWithoutToken()
    {
        var (response, events) = await EventStreamTests.OpenAsync(_sidecar, "/api/v1/events?access_token=alice-token");
        using (response)
        using (events)
        {
            Assert.Equal("snapshot", (await events.NextAsync()).Name);
            var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
            var decided = await ApprovalsApiTests.JsonAsync(await _sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{id}/decision", "alice", "{\"verdict\":\"APPROVE\"}"));
            Assert.Equal("APPROVAL_STATE_APPROVED", decided.GetProperty("state").GetString());

            var shown = await FeedMoveToAsync(events, id, "APPROVAL_STATE_APPROVED");
            var approval = shown.GetProperty("approval");
            Assert.Equal((id, "APPROVAL_STATE_APPROVED"), (approval.GetProperty("approvalId").GetString(), approval.GetProperty("state").GetString()));
            Assert.Equal("4111111111111111", approval.GetProperty("request").GetProperty("arguments").GetProperty("card_number").GetString()); // no redaction here
            Assert.True(!approval.TryGetProperty("token", out var token) || string.IsNullOrEmpty(token.GetString()), $"the feed's event carries a token: {token}");

            var agentView = await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(Wait);
            Assert.Equal(3, agentView.Token.Split('.').Length);
        }
    }

    /// <summary>The data of the feed's next <c>approval</c> event that shows <paramref name="id"/> in <paramref name="state"/>.</summary>
    private static async Task<JsonElement> FeedMoveToAsync(EventStreamTests.SseReader events, string id, string state)
    {
        while (true)
        {
            var (name, data) = await events.NextAsync(Wait);
            if (name == "approval" && data.GetProperty("approvalId").GetString() == id && data.GetProperty("state").GetString() == state)
            {
                return data;
            }
        }
    }

    private static async Task<ApprovalEvent> MoveToAsync(IAsyncEnumerator<ApprovalEvent> feed, string id, ApprovalState state)
    {
        while (await feed.MoveNextAsync())
        {
            if (feed.Current.ApprovalId == id && feed.Current.State == state)
            {
                return feed.Current;
            }
        }

        throw new InvalidOperationException($"the stream ended before {id} was {state}");
    }
}
