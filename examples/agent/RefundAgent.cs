using Gate.Client;
using Gate.V1;
using Google.Protobuf.WellKnownTypes;

namespace Gate.Examples.Agent;

/// <summary>
/// A support agent's tool calls, each through <see cref="GuardedExecutor"/>: a small refund passes at
/// once, a large one waits for finance, a destructive call is blocked, and a retried call id does
/// not run twice.
/// </summary>
internal static class RefundAgent
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    public static async Task<int> RunAsync(AgentSettings settings)
    {
        using var channel = GateChannel.ForAddress(settings.GrpcAddress);
        using var executor = new GuardedExecutor(new GateClient(channel), settings.HttpAddress, new GuardedExecutorOptions { OnEvent = evt => Show(evt, settings) });
        using var timeout = new CancellationTokenSource(MaxWait);
        var run = Guid.NewGuid().ToString("N")[..8];

        Console.WriteLine($"agent: Gate at {settings.GrpcAddress}, keys from {settings.HttpAddress}.well-known/jwks.json");

        var small = Refund($"call_{run}_1", 120, "cus_1001", "Order 1181 arrived late");
        Print("1. refund 120 EUR", await executor.RunAsync(small, PaymentsTool.RefundAsync, timeout.Token));

        var large = Refund($"call_{run}_2", 900, "cus_4821", "Order 1182 was confirmed damaged by the courier");
        Print("2. refund 900 EUR", await executor.RunAsync(large, PaymentsTool.RefundAsync, timeout.Token));

        var drop = Call($"call_{run}_3", "db.drop_table", new Struct { Fields = { ["table"] = Value.ForString("orders") } }, "Clean up the old orders table");
        Print("3. drop table orders", await executor.RunAsync(drop, PaymentsTool.DropTableAsync, timeout.Token));

        Print("4. retry of call 1 (same call_id)", await executor.RunAsync(small, PaymentsTool.RefundAsync, timeout.Token));
        return 0;
    }

    private static void Show(ApprovalEvent evt, AgentSettings settings)
    {
        if (evt.State is ApprovalState.Pending or ApprovalState.Escalated)
        {
            Console.WriteLine($"    waiting: approval {evt.ApprovalId} is {evt.State.ToString().ToUpperInvariant()} for pool {evt.Approval.Pool} ({evt.Approval.Reason})");
            Console.WriteLine($"    approve it in the console at {settings.HttpAddress}, or: dotnet run --project examples/agent -- approve {evt.ApprovalId}");
        }
    }

    private static void Print(string step, GuardedResult<string> result)
    {
        var what = result.Outcome switch
        {
            GuardedOutcome.Executed => $"ran ({result.State.ToString().ToUpperInvariant()}{(result.Edited ? ", edited by the approver" : string.Empty)}), reference {result.Value}",
            GuardedOutcome.ExecutionFailed => $"ran and failed: {result.Exception!.Message}",
            _ => $"did not run: {result.Outcome}: {result.Reason}",
        };
        Console.WriteLine($"{step}: {what}");
        if (result.ReportError is { } report)
        {
            Console.WriteLine($"    the outcome could not be reported: {report.Detail}");
        }
    }

    private static CheckRequest Refund(string callId, double amount, string customer, string reasoning) => Call(
        callId,
        "payments.refund",
        new Struct
        {
            Fields =
            {
                ["amount"] = Value.ForNumber(amount),
                ["currency"] = Value.ForString("EUR"),
                ["customer_id"] = Value.ForString(customer),
            },
        },
        reasoning);

    private static CheckRequest Call(string callId, string tool, Struct arguments, string reasoning) => new()
    {
        CallId = callId,
        Tool = tool,
        Arguments = arguments,
        Agent = new AgentContext { AgentId = "support-bot", Tenant = "acme", OnBehalfOf = "erin@example.com", SessionId = "example" },
        Context = new CallContext { UserRequest = "Please sort out my orders", Reasoning = reasoning, Confidence = 0.9 },
        Labels = { ["env"] = "prod" },
    };
}
