using System.Net;
using System.Text.Json;
using Gate.V1;
using GateSidecar.Tests.Infrastructure;

namespace GateSidecar.Tests.Approvers.Http;

/// <summary>The JSON API of SPEC §7 over real HTTP: same authentication and rules as the gRPC Approvals service.</summary>
public sealed class ApprovalsApiTests : IAsyncLifetime
{
    private ApproverSidecar _sidecar = null!;

    public async ValueTask InitializeAsync() => _sidecar = await ApproverSidecar.StartAsync();

    public async ValueTask DisposeAsync() => await _sidecar.DisposeAsync();

    internal static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync().WithTimeout();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem with <paramref name="status"/> and returns its detail.</summary>
    internal static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync().WithTimeout();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.StartsWith("urn:gate:problem:", problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(detail));
        return detail;
    }

    private async Task<Approval> GetAsGrpcAgentAsync(string id) =>
        await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(TestTimeouts.Default);

    [Fact]
    public async Task List_PendingInTheApproversPools_IsRedactedProto3Json()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));

        var alice = await JsonAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/approvals", "alice"));
        var card = Assert.Single(alice.GetProperty("approvals").EnumerateArray(), a => a.GetProperty("approvalId").GetString() == id);
        Assert.Equal("APPROVAL_STATE_PENDING", card.GetProperty("state").GetString());
        Assert.Equal("finance", card.GetProperty("pool").GetString());
        Assert.Equal(1, card.GetProperty("quorum").GetInt32());
        Assert.False(card.GetProperty("edited").GetBoolean());
        Assert.Equal("***", card.GetProperty("request").GetProperty("arguments").GetProperty("card_number").GetString());
        Assert.Equal(900, card.GetProperty("request").GetProperty("arguments").GetProperty("amount").GetDouble());

        var carol = await JsonAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/approvals", "carol"));
        Assert.DoesNotContain(carol.GetProperty("approvals").EnumerateArray(), a => a.GetProperty("approvalId").GetString() == id);
    }

    [Fact]
    public async Task List_IsPagedWithPageSizeAndPageToken()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await _sidecar.PendingAsync(ApproverSidecar.Refund(900 + i)));
        }

        var seen = new List<string>();
        string? token = null;
        do
        {
            var path = "/api/v1/approvals?pool=finance&page_size=2" + (token is null ? string.Empty : "&page_token=" + Uri.EscapeDataString(token));
            var page = await JsonAsync(await _sidecar.SendAsync(HttpMethod.Get, path, "bob"));
            Assert.True(page.GetProperty("approvals").GetArrayLength() <= 2);
            seen.AddRange(page.GetProperty("approvals").EnumerateArray().Select(a => a.GetProperty("approvalId").GetString()!));
            token = page.GetProperty("nextPageToken").GetString();
        }
        while (!string.IsNullOrEmpty(token));

        Assert.Equal(ids, seen);
    }

    [Fact]
    public async Task List_WithoutToken_Is401WithBearerChallenge()
    {
        var response = await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/approvals");
        var detail = await ProblemAsync(response, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Assert.Contains("missing bearer token", detail);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);

        var unknown = await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/approvals", "mallory");
        Assert.Contains("unknown bearer token", await ProblemAsync(unknown, HttpStatusCode.Unauthorized, "UNAUTHENTICATED"));
    }

    [Fact]
    public async Task List_BadQuery_Is400Or403WithWhatToFix()
    {
        Assert.Contains("page_size", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/approvals?page_size=lots", "alice"), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
        Assert.Contains("page_token", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/approvals?page_token=nope", "alice"), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
        Assert.Contains("not a member of pool 'execs'", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/approvals?pool=execs", "alice"), HttpStatusCode.Forbidden, "PERMISSION_DENIED"));
    }

    [Fact]
    public async Task Get_KnownUnknownAndOutsideThePool()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var got = await JsonAsync(await _sidecar.SendAsync(HttpMethod.Get, $"/api/v1/approvals/{id}", "erin"));
        Assert.Equal(id, got.GetProperty("approvalId").GetString());
        Assert.Equal("***", got.GetProperty("request").GetProperty("arguments").GetProperty("card_number").GetString());
        Assert.Equal(string.Empty, got.GetProperty("token").GetString());

        Assert.Contains("does not exist", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/approvals/0123456789abcdef0123456789abcdef", "erin"), HttpStatusCode.NotFound, "NOT_FOUND"));
        Assert.Contains("not a member of pool 'finance'", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Get, $"/api/v1/approvals/{id}", "carol"), HttpStatusCode.Forbidden, "PERMISSION_DENIED"));
    }

    [Theory]
    [InlineData("{\"verdict\":\"APPROVE\"}")]
    [InlineData("{\"verdict\":\"DECISION_VERDICT_APPROVE\"}")]
    [InlineData("{\"verdict\":\"approve\",\"reason\":\"looks right\"}")]
    public async Task Decide_VerdictWithOrWithoutPrefix_Approves(string body)
    {
        var request = ApproverSidecar.Refund(900);
        var guard = _sidecar.Gate.Guard(request).ReadAllAsync(TimeSpan.FromSeconds(20));
        var id = await WaitForPendingAsync(request.CallId);

        var decided = await JsonAsync(await _sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{id}/decision", "alice", body));
        Assert.Equal("APPROVAL_STATE_APPROVED", decided.GetProperty("state").GetString());
        Assert.Equal(string.Empty, decided.GetProperty("token").GetString());
        var events = await guard;
        Assert.Equal(ApprovalState.Approved, events[^1].State);
        Assert.Equal("approver:alice", events[^1].Actor);
    }

    [Theory]
    [InlineData("editedArguments")]
    [InlineData("edited_arguments")]
    public async Task Decide_EditAndApprove_AgentRunsTheEditWithRedactedValuesKept(string field)
    {
        var request = ApproverSidecar.Refund(900);
        var guard = _sidecar.Gate.Guard(request).ReadAllAsync(TimeSpan.FromSeconds(20));
        var id = await WaitForPendingAsync(request.CallId);

        var body = $$$"""{"verdict":"EDIT_AND_APPROVE","reason":"partial refund","{{{field}}}":{"amount":750,"customer_id":"c-42","card_number":"***"}}""";
        var decided = await JsonAsync(await _sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{id}/decision", "bob", body));
        Assert.True(decided.GetProperty("edited").GetBoolean());
        Assert.Equal("***", decided.GetProperty("finalArguments").GetProperty("card_number").GetString());

        var approved = (await guard)[^1];
        Assert.Equal(ApprovalState.Approved, approved.State);
        Assert.Equal(750, approved.Approval.FinalArguments.Fields["amount"].NumberValue);
        Assert.Equal("4111111111111111", approved.Approval.FinalArguments.Fields["card_number"].StringValue);
    }

    [Fact]
    public async Task Decide_BadRequests_AreRefusedAndChangeNothing()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var path = $"/api/v1/approvals/{id}/decision";

        Assert.Contains("reason is required", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, path, "alice", "{\"verdict\":\"REJECT\"}"), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
        Assert.Contains("not valid JSON", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, path, "alice", "{\"verdict\":"), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
        Assert.Contains("not one of APPROVE, REJECT, EDIT_AND_APPROVE, ESCALATE", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, path, "alice", "{\"verdict\":\"MAYBE\"}"), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
        Assert.Contains("verdikt", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, path, "alice", "{\"verdikt\":\"APPROVE\"}"), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
        Assert.Contains("the path names", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, path, "alice", "{\"verdict\":\"APPROVE\",\"approvalId\":\"other\"}"), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
        Assert.Contains("only allowed with EDIT_AND_APPROVE", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, path, "alice", "{\"verdict\":\"APPROVE\",\"editedArguments\":{\"amount\":1}}"), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
        Assert.Contains("needs 'edited_arguments'", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, path, "alice", "{\"verdict\":\"EDIT_AND_APPROVE\"}"), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
        Assert.Contains("tier block", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, path, "alice", "{\"verdict\":\"EDIT_AND_APPROVE\",\"editedArguments\":{\"amount\":5000000}}"), HttpStatusCode.Forbidden, "PERMISSION_DENIED"));

        using var text = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("verdict=APPROVE") };
        text.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "alice-token");
        var wrongType = await _sidecar.Http.SendAsync(text).WithTimeout();
        Assert.Contains("Content-Type: application/json", await ProblemAsync(wrongType, HttpStatusCode.UnsupportedMediaType, "INVALID_ARGUMENT"));

        var after = await GetAsGrpcAgentAsync(id);
        Assert.Equal((ApprovalState.Pending, 1L), (after.State, after.Seq));
        Assert.Empty(after.Decisions);
    }

    [Fact]
    public async Task Decide_RulesOfDecide_MapToHttpStatus()
    {
        var single = await _sidecar.PendingAsync(ApproverSidecar.Refund(900, onBehalfOf: "alice"));
        Assert.Contains("self-approval", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{single}/decision", "alice", "{\"verdict\":\"APPROVE\"}"), HttpStatusCode.Forbidden, "PERMISSION_DENIED"));
        Assert.Contains("not a member of pool 'finance'", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{single}/decision", "carol", "{\"verdict\":\"APPROVE\"}"), HttpStatusCode.Forbidden, "PERMISSION_DENIED"));
        Assert.Contains("does not exist", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, "/api/v1/approvals/nope/decision", "bob", "{\"verdict\":\"APPROVE\"}"), HttpStatusCode.NotFound, "NOT_FOUND"));

        var quorum = await _sidecar.PendingAsync(ApproverSidecar.Refund(20_000));
        await JsonAsync(await _sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{quorum}/decision", "alice", "{\"verdict\":\"APPROVE\"}"));
        Assert.Contains("already decided", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{quorum}/decision", "alice", "{\"verdict\":\"APPROVE\"}"), HttpStatusCode.Conflict, "FAILED_PRECONDITION"));
        var done = await JsonAsync(await _sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{quorum}/decision", "bob", "{\"verdict\":\"APPROVE\"}"));
        Assert.Equal("APPROVAL_STATE_APPROVED", done.GetProperty("state").GetString());
        Assert.Contains("final state", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{quorum}/decision", "erin", "{\"verdict\":\"REJECT\",\"reason\":\"late\"}"), HttpStatusCode.Conflict, "FAILED_PRECONDITION"));
    }

    [Fact]
    public async Task BatchDecision_AppliesEachAndReportsPerItem()
    {
        var first = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var second = await _sidecar.PendingAsync(ApproverSidecar.Refund(901));
        var own = await _sidecar.PendingAsync(ApproverSidecar.Refund(902, onBehalfOf: "bob"));
        var body = JsonSerializer.Serialize(new { approvalIds = new[] { first, second, own, "missing" }, verdict = "APPROVE" });

        var results = (await JsonAsync(await _sidecar.SendAsync(HttpMethod.Post, "/api/v1/approvals/batch-decision", "bob", body))).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([first, second, own, "missing"], results.Select(r => r.GetProperty("approvalId").GetString()));
        Assert.Equal([0, 0, 7, 5], results.Select(r => r.GetProperty("code").GetInt32()));
        Assert.Equal("APPROVAL_STATE_APPROVED", results[0].GetProperty("approval").GetProperty("state").GetString());
        Assert.Contains("self-approval", results[2].GetProperty("message").GetString());
        Assert.Equal(ApprovalState.Pending, (await GetAsGrpcAgentAsync(own)).State);

        Assert.Contains("cannot be batched", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, "/api/v1/approvals/batch-decision", "bob", JsonSerializer.Serialize(new { approvalIds = new[] { own }, verdict = "EDIT_AND_APPROVE" })), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
        Assert.Contains("approvalIds is empty", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, "/api/v1/approvals/batch-decision", "bob", "{\"verdict\":\"APPROVE\"}"), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
        Assert.Contains("verdict is required", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Post, "/api/v1/approvals/batch-decision", "bob", JsonSerializer.Serialize(new { approvalIds = new[] { own } })), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
    }

    [Fact]
    public async Task Me_NamesTheApproverAndTheirPools()
    {
        var me = await JsonAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/me", "alice"));
        Assert.Equal("alice", me.GetProperty("approverId").GetString());
        Assert.Equal("Alice", me.GetProperty("name").GetString());
        Assert.Equal(["default", "finance", "ops"], me.GetProperty("pools").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("test-1", me.GetProperty("policyVersion").GetString());
    }

    [Fact]
    public async Task Session_SetsAnHttpOnlyCookieScopedToTheLiveFeed()
    {
        var response = await _sidecar.SendAsync(HttpMethod.Post, "/api/v1/session", "dave", "{}");
        await JsonAsync(response);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("gate_events=dave-token;", cookie);
        Assert.Contains("path=/api/v1/events", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        var refused = await _sidecar.SendAsync(HttpMethod.Post, "/api/v1/session", "mallory", "{}");
        await ProblemAsync(refused, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Assert.False(refused.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task UnknownApiPath_IsAProblemNotAnEmptyPage()
    {
        Assert.Contains("/api/v1/nothing", await ProblemAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/nothing", "alice"), HttpStatusCode.NotFound, "NOT_FOUND"));
    }

    private async Task<string> WaitForPendingAsync(string callId)
    {
        for (var i = 0; i < 400; i++)
        {
            var listed = await _sidecar.As("erin").ListPendingAsync(new ListPendingRequest()).WaitAsync(TestTimeouts.Default);
            if (listed.Approvals.FirstOrDefault(a => a.Request.CallId == callId) is { } found)
            {
                return found.ApprovalId;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"no pending approval for call {callId}");
    }
}
