using System.Text;
using System.Text.Json;
using GateSidecar.Approvers.Http;

namespace GateSidecar.Approvers.Notifications;

/// <summary>
/// The <c>json</c> body: <c>{"event", "delivery_id", "sent_at", "console_url", "approval"}</c>, the approval
/// in the proto3 JSON mapping with proto field names (snake_case), redacted.
/// </summary>
internal static class NotificationCard
{
    public static byte[] Build(NotificationEvent evt, string deliveryId, DateTimeOffset sentAt)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event", evt.Name);
            json.WriteString("delivery_id", deliveryId);
            json.WriteString("sent_at", sentAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("console_url", ConsoleLinks.ForApproval(evt.ConsoleBase, evt.Approval.ApprovalId));
            json.WritePropertyName("approval");
            json.WriteRawValue(Encoding.UTF8.GetBytes(ProtoJson.Webhook.Format(evt.Approval)), skipInputValidation: true);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
