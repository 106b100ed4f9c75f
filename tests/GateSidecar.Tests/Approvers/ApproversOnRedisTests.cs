using System.Net;
using System.Text;
using System.Text.Json;
using Gate.V1;
using GateSidecar.Approvers.Notifications;
using GateSidecar.Hosting;
using GateSidecar.Tests.Approvers.Http;
using GateSidecar.Tests.Approvers.Notifications;
using GateSidecar.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GateSidecar.Tests.Approvers;

/// <summary>The approvers' side on a real Redis: failing closed while it is down, and several sidecars sharing it.</summary>
public sealed class ApproversOnRedisTests
{
    [Fact]
    public async Task StoreDown_ApiAndWebhookAnswer503_ThenTheSameSignedDecisionApplies()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var sidecar = await ApproverSidecar.StartAsync(o => o with { Store = GateStoreKind.Redis, Redis = redis.Endpoint, WebhookSecret = "bot-secret" });
        var id = await sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var body = JsonSerializer.SerializeToUtf8Bytes(new { approval_id = id, approver = "erin", verdict = "APPROVE" });
        var signature = DecisionWebhookTests.Sign("bot-secret", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body);

        await redis.KillAsync();
        await ApprovalsApiTests.ProblemAsync(await sidecar.SendAsync(HttpMethod.Get, "/api/v1/approvals", "alice"), HttpStatusCode.ServiceUnavailable, "UNAVAILABLE");
        await ApprovalsApiTests.ProblemAsync(await sidecar.SendAsync(HttpMethod.Get, $"/api/v1/approvals/{id}", "alice"), HttpStatusCode.ServiceUnavailable, "UNAVAILABLE");
        await ApprovalsApiTests.ProblemAsync(await sidecar.SendAsync(HttpMethod.Post, $"/api/v1/approvals/{id}/decision", "alice", "{\"verdict\":\"APPROVE\"}"), HttpStatusCode.ServiceUnavailable, "UNAVAILABLE");
        await ApprovalsApiTests.ProblemAsync(await PostWebhookAsync(sidecar, body, signature), HttpStatusCode.ServiceUnavailable, "UNAVAILABLE");

        // Nothing was consumed while the store was down, so the bot's retry of the same signed request is not a replay.
        await redis.StartAgainAsync();
        HttpResponseMessage? applied = null;
        for (var i = 0; i < 200 && applied?.StatusCode != HttpStatusCode.OK; i++)
        {
            await Task.Delay(50);
            applied = await PostWebhookAsync(sidecar, body, signature);
        }

        var approval = await ApprovalsApiTests.JsonAsync(applied!);
        Assert.Equal("APPROVAL_STATE_APPROVED", approval.GetProperty("state").GetString());
        Assert.Equal("erin", approval.GetProperty("decisions")[0].GetProperty("approver").GetString());
    }

    [Fact]
    public async Task TwoSidecarsOnOneRedis_AnnounceEachApprovalOnce()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var file = await NotifyFinanceAsync(receiver);
        GateOptions Shared(GateOptions o) => o with { Store = GateStoreKind.Redis, Redis = redis.Endpoint, NotificationsPath = file };
        await using var a = await ApproverSidecar.StartAsync(Shared);
        await using var b = await ApproverSidecar.StartAsync(Shared);

        var ids = new HashSet<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await a.PendingAsync(ApproverSidecar.Refund(900 + i)));
            ids.Add(await b.PendingAsync(ApproverSidecar.Refund(950 + i)));
        }

        Assert.Equal(ids.Order(), (await AnnouncedAsync(receiver, ids.Count)).Order());
        await Task.Delay(500);
        Assert.False(receiver.TryNext(out var extra), $"announced twice: {(extra is null ? string.Empty : Encoding.UTF8.GetString(extra.Body))}");
        var delivered = a.Services.GetRequiredService<NotificationStats>().Delivered + b.Services.GetRequiredService<NotificationStats>().Delivered;
        Assert.Equal(ids.Count, delivered);
    }

    [Fact]
    public async Task SubscriptionDropped_ApprovalsCreatedMeanwhileOnTheOtherSidecar_AreStillAnnounced()
    {
        // Sidecar A announces; its subscription connection goes through a relay that holds it back
        // 1.5 s whenever it (re)connects. B creates approvals while A's subscription is down.
        await using var redis = await RedisServer.StartAsync();
        await using var relay = new RedisRelay(redis.Port, holdSubscriptions: TimeSpan.FromSeconds(1.5));
        await using var receiver = await WebhookReceiver.StartAsync();
        var file = await NotifyFinanceAsync(receiver);
        await using var a = await ApproverSidecar.StartAsync(o => o with { Store = GateStoreKind.Redis, Redis = relay.Endpoint, NotificationsPath = file });
        await using var b = await ApproverSidecar.StartAsync(o => o with { Store = GateStoreKind.Redis, Redis = redis.Endpoint });

        Assert.StartsWith(":", await redis.CommandAsync("CLIENT", "KILL", "TYPE", "pubsub"));
        var ids = new HashSet<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await b.PendingAsync(ApproverSidecar.Refund(900 + i)));
        }

        Assert.Equal(ids.Order(), (await AnnouncedAsync(receiver, ids.Count)).Order());
        Assert.True(relay.Delayed >= 2, $"the relay held back {relay.Delayed} subscription connection(s); A's reconnection was not delayed.");
    }

    /// <summary>A notifications file that sends the finance pool's approvals to <paramref name="receiver"/>.</summary>
    private static async Task<string> NotifyFinanceAsync(WebhookReceiver receiver)
    {
        var file = Path.Combine(Path.GetTempPath(), "gate-notify-" + Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(file, $"pools:\n  finance:\n    - url: {receiver.Url}\n").WithTimeout();
        return file;
    }

    /// <summary>The approval ids of the next <paramref name="count"/> announcements.</summary>
    private static async Task<List<string>> AnnouncedAsync(WebhookReceiver receiver, int count)
    {
        var announced = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var received = await receiver.NextAsync();
            announced.Add(JsonDocument.Parse(received.Body).RootElement.GetProperty("approval").GetProperty("approval_id").GetString()!);
        }

        return announced;
    }

    private static async Task<HttpResponseMessage> PostWebhookAsync(ApproverSidecar sidecar, byte[] body, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/decision") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("X-Gate-Signature", signature);
        return await sidecar.Http.SendAsync(request).WithTimeout();
    }
}
