using Gate.Client;
using Gate.V1;
using Google.Protobuf.WellKnownTypes;

namespace Gate.Examples.Agent;

/// <summary>Decides a pending call as an approver (alice's development token unless GATE_APPROVER_TOKEN says otherwise).</summary>
internal static class Approver
{
    public static async Task<int> RunAsync(AgentSettings settings, string approvalId, string? amount)
    {
        using var channel = GateChannel.ForAddress(settings.GrpcAddress);
        var approvals = new ApprovalsClient(channel, settings.ApproverToken);
        var request = new DecideRequest { ApprovalId = approvalId, Verdict = DecisionVerdict.Approve, Reason = "checked the order" };
        if (amount is not null)
        {
            var pending = await approvals.ListPendingAsync(new ListPendingRequest());
            var approval = pending.Approvals.FirstOrDefault(a => a.ApprovalId == approvalId);
            if (approval is null)
            {
                Console.Error.WriteLine($"approval {approvalId} is not pending in your pools");
                return 1;
            }

            // Redacted values come back as "***", which keeps the original value.
            var edited = approval.FinalArguments.Clone();
            edited.Fields["amount"] = Value.ForNumber(double.Parse(amount, System.Globalization.CultureInfo.InvariantCulture));
            request.Verdict = DecisionVerdict.EditAndApprove;
            request.EditedArguments = edited;
        }

        var decided = await approvals.DecideAsync(request);
        Console.WriteLine($"approval {decided.ApprovalId} is now {decided.State.ToString().ToUpperInvariant()}{(decided.Edited ? " (edited)" : string.Empty)}");
        return 0;
    }
}
