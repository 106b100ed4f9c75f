using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gate.V1;
using GateSidecar.Tests.Infrastructure;

namespace GateSidecar.Tests.Approvers.Http;

/// <summary><c>POST /webhooks/decision</c>: signed decisions from chat bots, refused (401, nothing changes) unless fresh and first.</summary>
public sealed class DecisionWebhookTests : IAsyncLifetime
{
    private const string Secret = "bot-shared-secret";
    private ApproverSidecar _sidecar = null!;

    public async ValueTask InitializeAsync() => _sidecar = await ApproverSidecar.StartAsync(o => o with { WebhookSecret = Secret });

    public async ValueTask DisposeAsync() => await _sidecar.DisposeAsync();

    /// <summary>Signs as a bot would, independently of the server's code: HMAC-SHA256(secret, "t.body").</summary>
    internal static string Sign(string secret, long t, byte[] body)
    {
        byte[] message = [.. Encoding.UTF8.GetBytes($"{t}."), .. body];
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/decision") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Gate-Signature", signature);
        }

        return await _sidecar.Http.SendAsync(request).WithTimeout();
    }

    private Task<HttpResponseMessage> SignedAsync(object body)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        return PostAsync(bytes, Sign(Secret, Now, bytes));
    }

    private async Task<Approval> AgentViewAsync(string id) =>
        await _sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }).WaitAsync(TestTimeouts.Default);

    [Fact]
    public async Task Webhook_SignedDecision_IsAppliedAsTheNamedApprover()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var response = await SignedAsync(new { approval_id = id, approver = "erin", verdict = "APPROVE", reason = "ok in chat" });
        var body = await ApprovalsApiTests.JsonAsync(response);
        Assert.Equal("APPROVAL_STATE_APPROVED", body.GetProperty("state").GetString());
        Assert.Equal("***", body.GetProperty("request").GetProperty("arguments").GetProperty("card_number").GetString());

        var after = await AgentViewAsync(id);
        Assert.Equal(ApprovalState.Approved, after.State);
        var decision = Assert.Single(after.Decisions);
        Assert.Equal(("erin", DecisionVerdict.Approve, "ok in chat"), (decision.Approver, decision.Verdict, decision.Reason));
    }

    [Fact]
    public async Task Webhook_EditedArgumentsInSnakeCase_AreApplied()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var response = await SignedAsync(new { approval_id = id, approver = "bob", verdict = "DECISION_VERDICT_EDIT_AND_APPROVE", edited_arguments = new { amount = 600, customer_id = "c-42", card_number = "***" } });
        await ApprovalsApiTests.JsonAsync(response);
        var after = await AgentViewAsync(id);
        Assert.Equal((ApprovalState.Approved, 600.0, "4111111111111111"), (after.State, after.FinalArguments.Fields["amount"].NumberValue, after.FinalArguments.Fields["card_number"].StringValue));
    }

    [Fact]
    public async Task Webhook_BadSignatures_Are401AndChangeNothing()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var body = JsonSerializer.SerializeToUtf8Bytes(new { approval_id = id, approver = "alice", verdict = "APPROVE" });
        var other = JsonSerializer.SerializeToUtf8Bytes(new { approval_id = id, approver = "alice", verdict = "REJECT", reason = "x" });

        var cases = new (string? Signature, string Expected)[]
        {
            (null, "missing X-Gate-Signature"),
            ("sha256=abc", "must look like"),
            (Sign("wrong-secret", Now, body), "does not match"),
            (Sign(Secret, Now, other), "does not match"),
            (Sign(Secret, Now - 301, body), "away from the server's clock"),
            (Sign(Secret, Now + 400, body), "away from the server's clock"),
        };
        foreach (var (signature, expected) in cases)
        {
            var detail = await ApprovalsApiTests.ProblemAsync(await PostAsync(body, signature), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
            Assert.Contains(expected, detail);
        }

        var after = await AgentViewAsync(id);
        Assert.Equal((ApprovalState.Pending, 1L), (after.State, after.Seq));
    }

    [Fact]
    public async Task Webhook_ReplayedRequest_Is401EvenWhereTheFirstSucceeded()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(20_000));
        var body = JsonSerializer.SerializeToUtf8Bytes(new { approval_id = id, approver = "alice", verdict = "APPROVE" });
        var signature = Sign(Secret, Now, body);
        await ApprovalsApiTests.JsonAsync(await PostAsync(body, signature));

        var replay = await ApprovalsApiTests.ProblemAsync(await PostAsync(body, signature), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Assert.Contains("replay", replay);
        var after = await AgentViewAsync(id);
        Assert.Equal((ApprovalState.Pending, 2L, 1), (after.State, after.Seq, after.Decisions.Count));
    }

    [Fact]
    public async Task Webhook_InvalidBodiesAndApprovers_AreRefusedWithTheRuleBroken()
    {
        var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900, onBehalfOf: "bob"));
        var bad = new (object Body, HttpStatusCode Status, string Code, string Expected)[]
        {
            (new { approval_id = id, approver = "alice", verdict = "APPROVE", channel = "#finance" }, HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "unknown field 'channel'"),
            (new { approval_id = id, verdict = "APPROVE" }, HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "missing approver"),
            (new { approval_id = id, approver = "alice", verdict = "LGTM" }, HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "not one of APPROVE, REJECT"),
            (new { approval_id = id, approver = "alice", verdict = "EDIT_AND_APPROVE", edited_arguments = "amount=1" }, HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "must be a JSON object"),
            (new { approval_id = id, approver = "alice", verdict = "REJECT" }, HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "reason is required"),
            (new { approval_id = id, approver = "mallory", verdict = "APPROVE" }, HttpStatusCode.Forbidden, "PERMISSION_DENIED", "not in the approvers file"),
            (new { approval_id = id, approver = "carol", verdict = "APPROVE" }, HttpStatusCode.Forbidden, "PERMISSION_DENIED", "not a member of pool 'finance'"),
            (new { approval_id = id, approver = "bob", verdict = "APPROVE" }, HttpStatusCode.Forbidden, "PERMISSION_DENIED", "self-approval"),
            (new { approval_id = "0123456789abcdef0123456789abcdef", approver = "alice", verdict = "APPROVE" }, HttpStatusCode.NotFound, "NOT_FOUND", "does not exist"),
        };
        foreach (var (body, status, code, expected) in bad)
        {
            Assert.Contains(expected, await ApprovalsApiTests.ProblemAsync(await SignedAsync(body), status, code));
        }

        var after = await AgentViewAsync(id);
        Assert.Equal((ApprovalState.Pending, 1L), (after.State, after.Seq));
    }

    [Fact]
    public async Task Webhook_WithoutASecret_IsOff()
    {
        await using var plain = await ApproverSidecar.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/decision") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        var response = await plain.Http.SendAsync(request).WithTimeout();
        Assert.Contains("--webhook-secret", await ApprovalsApiTests.ProblemAsync(response, HttpStatusCode.NotFound, "NOT_FOUND"));
    }
}
