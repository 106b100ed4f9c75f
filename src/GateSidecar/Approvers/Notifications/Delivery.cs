namespace GateSidecar.Approvers.Notifications;

/// <summary>One body for one receiver, and how many times it has been tried.</summary>
internal sealed class Delivery(NotificationTarget target, string eventName, string approvalId, string deliveryId, byte[] body)
{
    public NotificationTarget Target { get; } = target;

    public string EventName { get; } = eventName;

    public string ApprovalId { get; } = approvalId;

    public string DeliveryId { get; } = deliveryId;

    public byte[] Body { get; } = body;

    /// <summary>Attempts made so far.</summary>
    public int Attempts { get; set; }
}
