using System.Globalization;
using System.Text.Json;
using Gate.V1;
using GateSidecar.Approvals;

namespace GateSidecar.Approvers.Notifications;

/// <summary>
/// The <c>slack</c> body: a Block Kit message (for an incoming webhook) with the tool, the trigger, the
/// impact, the redacted arguments, and Approve / Reject / Open buttons that link to the console, where
/// the approver signs in and decides (the link never decides by itself).
/// </summary>
internal static class SlackMessage
{
    private const int MaxArgumentsChars = 2500;
    private const int MaxTextChars = 2900;

    public static byte[] Build(NotificationEvent evt)
    {
        var a = evt.Approval;
        var tool = a.Request?.Tool ?? string.Empty;
        var headline = evt.Kind == NotificationKind.Pending
            ? $"Approval needed: {tool}"
            : $"Escalated to {a.Pool}: {tool}";

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("text", $"{headline} (rule {RuleName(a.Rule)}, pool {a.Pool})");
            json.WriteStartArray("blocks");

            Block(json, "header", () => PlainText(json, "text", Truncate(headline, 150)));
            Block(json, "section", () => Mrkdwn(json, "text", Truncate($"*Why:* {Escape(a.Reason)}\n*Rule:* `{Escape(RuleName(a.Rule))}` · *Policy:* {Escape(a.PolicyVersion)}", MaxTextChars)));
            Block(json, "section", () =>
            {
                json.WriteStartArray("fields");
                Field(json, "Pool", a.Pool + (a.EscalationLevel > 0 ? $" (escalation level {a.EscalationLevel})" : string.Empty));
                Field(json, "Approvals", $"{Approvers(a)} of {Math.Max(1, a.Quorum)}");
                Field(json, "On behalf of", a.Request?.Agent?.OnBehalfOf is { Length: > 0 } who ? who : "(not given)");
                Field(json, "Agent", a.Request?.Agent?.AgentId ?? string.Empty);
                if (a.Deadline is { } deadline)
                {
                    var unix = deadline.ToDateTimeOffset().ToUnixTimeSeconds();
                    json.WriteStartObject();
                    json.WriteString("type", "mrkdwn");
                    json.WriteString("text", string.Create(CultureInfo.InvariantCulture, $"*Deadline*\n<!date^{unix}^{{date_short_pretty}} {{time}}|{deadline.ToDateTimeOffset():u}>"));
                    json.WriteEndObject();
                }

                foreach (var item in a.Impact.Take(4))
                {
                    Field(json, item.Label, item.Value);
                }

                json.WriteEndArray();
            });
            var arguments = a.Request?.Arguments is { } args ? Google.Protobuf.JsonFormatter.Default.Format(args) : "{}";
            Block(json, "section", () => Mrkdwn(json, "text", "*Arguments*\n```" + Escape(Truncate(arguments, MaxArgumentsChars)) + "```"));
            if (a.Request?.Context is { UserRequest.Length: > 0 } context)
            {
                Block(json, "context", () =>
                {
                    json.WriteStartArray("elements");
                    json.WriteStartObject();
                    json.WriteString("type", "mrkdwn");
                    json.WriteString("text", Truncate("*User asked:* " + Escape(context.UserRequest), MaxTextChars));
                    json.WriteEndObject();
                    json.WriteEndArray();
                });
            }

            Block(json, "actions", () =>
            {
                json.WriteString("block_id", "gate_" + a.ApprovalId);
                json.WriteStartArray("elements");
                Button(json, "Approve", "primary", ConsoleLinks.ForApproval(evt.ConsoleBase, a.ApprovalId, "approve"), "gate_approve", a.ApprovalId);
                Button(json, "Reject", "danger", ConsoleLinks.ForApproval(evt.ConsoleBase, a.ApprovalId, "reject"), "gate_reject", a.ApprovalId);
                Button(json, "Open in console", null, ConsoleLinks.ForApproval(evt.ConsoleBase, a.ApprovalId), "gate_open", a.ApprovalId);
                json.WriteEndArray();
            });

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static int Approvers(Approval a) =>
        a.Decisions.Where(d => d.Verdict is DecisionVerdict.Approve or DecisionVerdict.EditAndApprove).Select(d => d.Approver).Distinct(StringComparer.Ordinal).Count();

    private static string RuleName(string rule) => rule.Length == 0 ? "(policy default)" : rule;

    private static void Block(Utf8JsonWriter json, string type, Action body)
    {
        json.WriteStartObject();
        json.WriteString("type", type);
        body();
        json.WriteEndObject();
    }

    private static void PlainText(Utf8JsonWriter json, string property, string text)
    {
        json.WriteStartObject(property);
        json.WriteString("type", "plain_text");
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    private static void Mrkdwn(Utf8JsonWriter json, string property, string text)
    {
        json.WriteStartObject(property);
        json.WriteString("type", "mrkdwn");
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    private static void Field(Utf8JsonWriter json, string label, string value)
    {
        json.WriteStartObject();
        json.WriteString("type", "mrkdwn");
        json.WriteString("text", Truncate($"*{Escape(label)}*\n{Escape(value)}", 1900));
        json.WriteEndObject();
    }

    private static void Button(Utf8JsonWriter json, string text, string? style, string url, string actionId, string value)
    {
        json.WriteStartObject();
        json.WriteString("type", "button");
        PlainText(json, "text", text);
        if (style is not null)
        {
            json.WriteString("style", style);
        }

        json.WriteString("url", url);
        json.WriteString("action_id", actionId);
        json.WriteString("value", value);
        json.WriteEndObject();
    }

    /// <summary>Slack's mrkdwn control characters.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
