using System.Text;
using System.Text.Json;
using Gate.V1;
using GateSidecar.Approvers.Notifications;
using GateSidecar.Hosting;
using GateSidecar.Tests.Approvers.Http;
using GateSidecar.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GateSidecar.Tests.Approvers.Notifications;

/// <summary>Outbound notifications to local receivers: signed, retried, never in the approval's way.</summary>
public sealed class NotificationDeliveryTests
{
    private const string ConsoleUrl = "https://gate.example.test";

    private static async Task<ApproverSidecar> StartAsync(string notificationsYaml)
    {
        var file = Path.Combine(Path.GetTempPath(), "gate-notifications-" + Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(file, notificationsYaml).WithTimeout();
        return await ApproverSidecar.StartAsync(o => o with { NotificationsPath = file, ConsoleUrl = ConsoleUrl });
    }

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 1200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition(), $"timed out waiting for {what}");
    }

    private static JsonElement Json(ReceivedWebhook received) => JsonDocument.Parse(received.Body).RootElement;

    [Fact]
    public async Task Pending_IsPostedSignedWithTheRedactedCard()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sidecar = await StartAsync($"""
            pools:
              finance:
                - url: {receiver.Url}
                  format: json
                  secret: notify-secret
            """);

        var id = await sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var received = await receiver.NextAsync();

        var signature = received.Headers["X-Gate-Signature"];
        var t = long.Parse(signature.Split(',')[0][2..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(DecisionWebhookTests.Sign("notify-secret", t, received.Body), signature);
        Assert.InRange(t, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        Assert.Equal("approval.pending", received.Headers["X-Gate-Event"]);
        Assert.StartsWith("application/json", received.Headers["Content-Type"]);

        var card = Json(received);
        Assert.Equal("approval.pending", card.GetProperty("event").GetString());
        Assert.Equal(received.Headers["X-Gate-Delivery"], card.GetProperty("delivery_id").GetString());
        Assert.Equal($"{ConsoleUrl}/#approval={id}", card.GetProperty("console_url").GetString());
        var approval = card.GetProperty("approval");
        Assert.Equal(id, approval.GetProperty("approval_id").GetString());
        Assert.Equal("finance", approval.GetProperty("pool").GetString());
        Assert.Equal("***", approval.GetProperty("request").GetProperty("arguments").GetProperty("card_number").GetString());
        Assert.Equal(900, approval.GetProperty("request").GetProperty("arguments").GetProperty("amount").GetDouble());
        Assert.DoesNotContain("4111111111111111", Encoding.UTF8.GetString(received.Body));
        Assert.Equal(string.Empty, approval.GetProperty("token").GetString());

        // Deciding it announces nothing more; another pool's approval is not sent here.
        await sidecar.As("bob").DecideAsync(new DecideRequest { ApprovalId = id, Verdict = DecisionVerdict.Approve }).WithTimeout();
        await sidecar.PendingAsync(ApproverSidecar.Refund(20_000));
        await EventuallyAsync(() => receiver.Attempts == 2, "the second finance approval");
        await sidecar.PendingAsync(new CheckRequest { CallId = "c-" + Guid.NewGuid().ToString("N"), Tool = "unknown.tool", Agent = new AgentContext { Tenant = "acme" } });
        await Task.Delay(300);
        Assert.Equal(2, receiver.Attempts);
        Assert.Equal(2, sidecar.Services.GetRequiredService<NotificationStats>().Delivered);
    }

    [Fact]
    public async Task AfterLostChanges_OnlyTheApprovalsNotAnnouncedYetAreSent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var file = Path.Combine(Path.GetTempPath(), "gate-notifications-" + Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(file, $"""
            pools:
              finance:
                - url: {receiver.Url}
            """).WithTimeout();
        Approvals.Functional.ObservedApprovalStore? store = null;
        await using var sidecar = await ApproverSidecar.StartAsync(o => o with { NotificationsPath = file, ConsoleUrl = ConsoleUrl }, wrapStore: inner => store = new Approvals.Functional.ObservedApprovalStore(inner));

        var announced = await sidecar.PendingAsync(ApproverSidecar.Refund(900));
        Assert.Equal(announced, Json(await receiver.NextAsync()).GetProperty("approval").GetProperty("approval_id").GetString());

        // The next one's announcement is lost (a Redis subscription gap longer than the change log).
        store!.DropChange = _ => true;
        var missed = await sidecar.PendingAsync(ApproverSidecar.Refund(910));
        await Task.Delay(200);
        Assert.Equal(1, receiver.Attempts);
        store.DropChange = null;
        store.Announce(GateSidecar.Approvals.ApprovalChange.Resync);

        // Only the one not announced yet is sent.
        Assert.Equal(missed, Json(await receiver.NextAsync()).GetProperty("approval").GetProperty("approval_id").GetString());
        await Task.Delay(300);
        Assert.Equal(2, receiver.Attempts);
    }

    [Fact]
    public async Task Escalation_IsAnnouncedToTheNextPool()
    {
        await using var first = await WebhookReceiver.StartAsync();
        await using var next = await WebhookReceiver.StartAsync();
        await using var sidecar = await StartAsync($"""
            pools:
              default:
                - url: {first.Url}
              execs:
                - url: {next.Url}
            """);

        var id = await sidecar.PendingAsync(new CheckRequest { CallId = "esc-" + Guid.NewGuid().ToString("N"), Tool = "test.quick_escalate", Agent = new AgentContext { Tenant = "acme" } });
        Assert.Equal("approval.pending", Json(await first.NextAsync()).GetProperty("event").GetString());

        var escalated = Json(await next.NextAsync());
        Assert.Equal("approval.escalated", escalated.GetProperty("event").GetString());
        Assert.Equal((id, "execs", 1), (escalated.GetProperty("approval").GetProperty("approval_id").GetString(), escalated.GetProperty("approval").GetProperty("pool").GetString(), escalated.GetProperty("approval").GetProperty("escalation_level").GetInt32()));
    }

    [Fact]
    public async Task FailingReceiver_IsRetriedWithBackoffUntilItAccepts()
    {
        await using var receiver = await WebhookReceiver.StartAsync(attempt => attempt <= 2 ? 503 : 204);
        await using var sidecar = await StartAsync($"""
            pools:
              finance:
                - url: {receiver.Url}
                  secret: s
            delivery:
              attempts: 5
              initial_backoff: 50ms
              max_backoff: 200ms
            """);

        var id = await sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var attempts = new[] { await receiver.NextAsync(), await receiver.NextAsync(), await receiver.NextAsync() };
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        Assert.Single(attempts.Select(a => a.Headers["X-Gate-Delivery"]).Distinct());
        Assert.All(attempts, a => Assert.Equal(id, Json(a).GetProperty("approval").GetProperty("approval_id").GetString()));

        var stats = sidecar.Services.GetRequiredService<NotificationStats>();
        await EventuallyAsync(() => stats.Delivered == 1, "the delivery to succeed");
        Assert.Equal((1L, 2L, 0L), (stats.Queued, stats.FailedAttempts, stats.GaveUp));
        Assert.Contains(sidecar.Logs.Entries, e => e.EventId.Id == 7102 && e.Message.Contains("HTTP 503"));
    }

    [Fact]
    public async Task RefusingReceiver_IsGivenUpAtOnceAndLogged()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 400);
        await using var sidecar = await StartAsync($"""
            pools:
              finance:
                - url: {receiver.Url}
            delivery:
              initial_backoff: 10ms
            """);

        await sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var stats = sidecar.Services.GetRequiredService<NotificationStats>();
        await EventuallyAsync(() => stats.GaveUp == 1, "the delivery to be given up");
        Assert.Equal(1, receiver.Attempts);
        Assert.Contains(sidecar.Logs.Entries, e => e.EventId.Id == 7103 && e.Message.Contains("HTTP 400"));
    }

    [Fact]
    public async Task ReceiverThatNeverAnswers_NeitherBlocksNorDelaysTheApproval()
    {
        await using var hanging = await WebhookReceiver.StartAsync(_ => null);
        await using var healthy = await WebhookReceiver.StartAsync();
        await using var sidecar = await StartAsync($"""
            pools:
              finance:
                - url: {hanging.Url}
                - url: {healthy.Url}
            delivery:
              timeout: 1m
              concurrency: 2
            """);

        var request = ApproverSidecar.Refund(900);
        var guard = sidecar.Gate.Guard(request).ReadAllAsync(TimeSpan.FromSeconds(20));
        var first = await hanging.NextAsync();
        var id = Json(first).GetProperty("approval").GetProperty("approval_id").GetString()!;
        Assert.Equal(id, Json(await healthy.NextAsync()).GetProperty("approval").GetProperty("approval_id").GetString());

        // The hanging delivery is still open while the approval is decided and the agent is answered.
        var decided = await sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = id, Verdict = DecisionVerdict.Approve }).WithTimeout();
        Assert.Equal(ApprovalState.Approved, decided.State);
        var events = await guard;
        Assert.Equal(ApprovalState.Approved, events[^1].State);

        // More approvals keep flowing to the healthy receiver while one worker is stuck.
        for (var i = 0; i < 3; i++)
        {
            await sidecar.PendingAsync(ApproverSidecar.Refund(901 + i));
        }

        for (var i = 0; i < 3; i++)
        {
            await healthy.NextAsync();
        }

        var stats = sidecar.Services.GetRequiredService<NotificationStats>();
        await EventuallyAsync(() => stats.Delivered == 4, "four deliveries to the healthy receiver");
        Assert.Equal(0, stats.GaveUp);
    }

    [Fact]
    public async Task SlackFormat_LinksItsButtonsToTheConsole()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sidecar = await StartAsync($"""
            pools:
              finance:
                - url: {receiver.Url}
                  format: slack
            """);

        var id = await sidecar.PendingAsync(ApproverSidecar.Refund(900));
        var message = Json(await receiver.NextAsync());
        Assert.Contains("payments.refund", message.GetProperty("text").GetString());
        var blocks = message.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        var buttons = blocks.Single(b => b.GetProperty("type").GetString() == "actions").GetProperty("elements").EnumerateArray().ToList();
        Assert.Equal(["Approve", "Reject", "Open in console"], buttons.Select(b => b.GetProperty("text").GetProperty("text").GetString()));
        Assert.Equal($"{ConsoleUrl}/#approval={id}&action=approve", buttons[0].GetProperty("url").GetString());
        Assert.Equal("primary", buttons[0].GetProperty("style").GetString());
        Assert.Equal("danger", buttons[1].GetProperty("style").GetString());
        Assert.DoesNotContain("4111111111111111", message.GetRawText());
    }

    [Fact]
    public void StartUp_WithABadNotificationsFile_ReportsEveryProblem()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gate-bad-notify-" + Guid.NewGuid().ToString("N"));
        ApproverSidecar.WriteFiles(directory);
        var file = Path.Combine(directory, "notifications.yaml");
        File.WriteAllText(file, """
            pools:
              finance:
                - url: ftp://example.com/hook
                  format: teams
            delivery:
              attempts: 0
            """);
        var (app, errors) = GateApp.Build(new GateOptions
        {
            GrpcPort = 0,
            HttpPort = 0,
            PolicyPath = Path.Combine(directory, "policy.yaml"),
            ApproversPath = Path.Combine(directory, "approvers.yaml"),
            SqlitePath = ":memory:",
            NotificationsPath = file,
        });
        Assert.Null(app);
        Assert.Contains(errors, e => e.Contains("'url' must be an absolute http or https address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("format 'teams' is unknown", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'attempts' must be a whole number from 1 to 20", StringComparison.Ordinal));
    }
}
