using Gate.V1;

namespace GateSidecar.Approvers.Notifications;

/// <summary>What a notification announces.</summary>
internal enum NotificationKind
{
    /// <summary>A new approval waits for the pool.</summary>
    Pending,

    /// <summary>An approval moved up the escalation ladder to the pool.</summary>
    Escalated,
}

/// <summary>One announcement of an approval (already redacted) to a pool's receivers.</summary>
internal sealed record NotificationEvent(NotificationKind Kind, Approval Approval, string ConsoleBase)
{
    public string Name => Kind == NotificationKind.Pending ? "approval.pending" : "approval.escalated";
}
