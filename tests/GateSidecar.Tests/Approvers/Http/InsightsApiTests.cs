using System.Net;
using System.Text.RegularExpressions;
using GateSidecar.Tests.Infrastructure;

namespace GateSidecar.Tests.Approvers.Http;

/// <summary>History and per-rule statistics computed from the audit trail, and the console's static files.</summary>
public sealed partial class InsightsApiTests : IAsyncLifetime
{
    private ApproverSidecar _sidecar = null!;

    public async ValueTask InitializeAsync() => _sidecar = await ApproverSidecar.StartAsync();

    public async ValueTask DisposeAsync() => await _sidecar.DisposeAsync();

    private Task<HttpResponseMessage> DecideAsync(string id, string approver, string body) =>
        _sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{id}/decision", approver, body);

    [Fact]
    public async Task History_ShowsDecisionsInThePoolNewestFirst_AndHidesOthers()
    {
        var approved = await _sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var rejected = await _sidecar.PendingAsync(ApproverSidecar.Refund(901));
        await ApprovalsApiTests.JsonAsync(await DecideAsync(approved, "alice", "{\"verdict\":\"APPROVE\"}"));
        await ApprovalsApiTests.JsonAsync(await DecideAsync(rejected, "bob", "{\"verdict\":\"REJECT\",\"reason\":\"duplicate request\"}"));

        var erin = await ApprovalsApiTests.JsonAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/history", "erin"));
        var decisions = erin.GetProperty("decisions").EnumerateArray().ToList();
        Assert.Equal([rejected, approved], decisions.Select(d => d.GetProperty("approvalId").GetString()));
        Assert.Equal(("bob", "REJECT", "duplicate request", "REJECTED", "payments.refund"), (decisions[0].GetProperty("approver").GetString(), decisions[0].GetProperty("verdict").GetString(), decisions[0].GetProperty("reason").GetString(), decisions[0].GetProperty("state").GetString(), decisions[0].GetProperty("tool").GetString()));

        var dave = await ApprovalsApiTests.JsonAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/history", "dave"));
        Assert.Empty(dave.GetProperty("decisions").EnumerateArray());

        Assert.Contains("since", await ApprovalsApiTests.ProblemAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/history?since=yesterday", "erin"), HttpStatusCode.BadRequest, "INVALID_ARGUMENT"));
        await ApprovalsApiTests.ProblemAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/history"), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task RuleStats_FlagRulesApprovedUnchangedAbove95Percent()
    {
        for (var i = 0; i < 3; i++)
        {
            var id = await _sidecar.PendingAsync(ApproverSidecar.Refund(900 + i));
            await ApprovalsApiTests.JsonAsync(await DecideAsync(id, "alice", "{\"verdict\":\"APPROVE\"}"));
        }

        var edited = await _sidecar.PendingAsync(ApproverSidecar.Refund(20_000));
        await ApprovalsApiTests.JsonAsync(await DecideAsync(edited, "alice", "{\"verdict\":\"EDIT_AND_APPROVE\",\"editedArguments\":{\"amount\":19000,\"customer_id\":\"c-42\",\"card_number\":\"***\"}}"));
        await ApprovalsApiTests.JsonAsync(await DecideAsync(edited, "bob", "{\"verdict\":\"APPROVE\"}"));
        var unchanged = await _sidecar.PendingAsync(ApproverSidecar.Refund(20_001));
        await ApprovalsApiTests.JsonAsync(await DecideAsync(unchanged, "alice", "{\"verdict\":\"REJECT\",\"reason\":\"too much\"}"));

        var stats = await ApprovalsApiTests.JsonAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/rules/stats?min_decided=2", "carol"));
        Assert.Equal(0.95, stats.GetProperty("threshold").GetDouble());
        var rules = stats.GetProperty("rules").EnumerateArray().ToDictionary(r => r.GetProperty("rule").GetString()!);
        var large = rules["large-refund"];
        Assert.Equal((3, 3, 1.0, true), (large.GetProperty("decided").GetInt32(), large.GetProperty("approvedUnchanged").GetInt32(), large.GetProperty("shareApprovedUnchanged").GetDouble(), large.GetProperty("rubberStampCandidate").GetBoolean()));
        var huge = rules["huge-refund"];
        Assert.Equal((2, 0, 1, 1, 0.0, false), (huge.GetProperty("decided").GetInt32(), huge.GetProperty("approvedUnchanged").GetInt32(), huge.GetProperty("approvedEdited").GetInt32(), huge.GetProperty("rejected").GetInt32(), huge.GetProperty("shareApprovedUnchanged").GetDouble(), huge.GetProperty("rubberStampCandidate").GetBoolean()));

        // Below the minimum number of decisions nothing is flagged, however high the share.
        var strict = await ApprovalsApiTests.JsonAsync(await _sidecar.SendAsync(HttpMethod.Get, "/api/v1/rules/stats?min_decided=4", "carol"));
        Assert.All(strict.GetProperty("rules").EnumerateArray(), r => Assert.False(r.GetProperty("rubberStampCandidate").GetBoolean()));
    }

    [Fact]
    public async Task Console_IsServedFromTheSidecarWithNoOutsideReferences()
    {
        var page = await _sidecar.SendAsync(HttpMethod.Get, "/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        var html = await page.Content.ReadAsStringAsync().WithTimeout();

        var assets = AssetReference().Matches(html).Select(m => m.Groups["path"].Value).Distinct().ToList();
        Assert.Contains("/console/console.js", assets);
        Assert.Contains("/console/console.css", assets);
        var bodies = new List<string> { html };
        foreach (var path in assets.Concat(["/console/card.js", "/console/api.js", "/console/dom.js", "/console/diff.js", "/console/views.js"]))
        {
            var asset = await _sidecar.SendAsync(HttpMethod.Get, path);
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{path}: {(int)asset.StatusCode}");
            Assert.Equal("nosniff", asset.Headers.GetValues("X-Content-Type-Options").Single());
            bodies.Add(await asset.Content.ReadAsStringAsync().WithTimeout());
        }

        Assert.All(bodies, body => Assert.DoesNotMatch(OutsideUrl(), body));
        var missing = await _sidecar.SendAsync(HttpMethod.Get, "/console/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [GeneratedRegex("(?:src|href)=\"(?<path>/console/[^\"]+)\"")]
    private static partial Regex AssetReference();

    [GeneratedRegex("(?:src|href|url)\\s*[=(]\\s*[\"']?(?:https?:)?//")]
    private static partial Regex OutsideUrl();
}
