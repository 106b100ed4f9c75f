using Gate.V1;
using GateSidecar.Approvals.Stored;
using Google.Protobuf.WellKnownTypes;
using Xunit;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>Builds the records and audit drafts the contract tests write.</summary>
internal static class StoreRecords
{
    public static string NewId() => "ap_" + Guid.NewGuid().ToString("N");

    public static StoredApproval Pending(
        DateTimeOffset createdAt, string pool = "default", string tenant = "acme", string? callId = null,
        long deadlineMs = 0, string? id = null, ApprovalState state = ApprovalState.Pending)
    {
        id ??= NewId();
        return new StoredApproval
        {
            Approval = new Approval
            {
                ApprovalId = id,
                State = state,
                Tier = RiskTier.Single,
                Pool = pool,
                Seq = 1,
                CreatedAt = Timestamp.FromDateTimeOffset(createdAt),
                Deadline = deadlineMs > 0 ? Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(deadlineMs)) : null,
                Request = new CheckRequest
                {
                    CallId = callId ?? "call-" + id,
                    Tool = "payments.refund",
                    Agent = new AgentContext { Tenant = tenant, AgentId = "agent-7" },
                },
            },
            DeadlineUnixMs = deadlineMs,
        };
    }

    /// <summary>The record after one transition: seq + 1, the new state, and optionally a new pool and deadline.</summary>
    public static StoredApproval Next(StoredApproval current, ApprovalState state, string? pool = null, long? deadlineMs = null)
    {
        var next = current.Clone();
        next.Approval.Seq = current.Approval.Seq + 1;
        next.Approval.State = state;
        next.Approval.Pool = pool ?? current.Approval.Pool;
        next.DeadlineUnixMs = deadlineMs ?? current.DeadlineUnixMs;
        return next;
    }

    public static AuditEvent[] Entries(string type, DateTimeOffset at, string approvalId = "") =>
    [
        new AuditEvent
        {
            Type = type,
            ApprovalId = approvalId,
            At = Timestamp.FromDateTimeOffset(at),
            Actor = "policy",
            Tier = RiskTier.Single,
            Rule = "large-refund",
            PolicyVersion = "2026-11-21.1",
        },
    ];
}
