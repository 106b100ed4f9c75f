using System.Globalization;
using Gate.V1;
using Google.Protobuf.WellKnownTypes;

namespace Gate.LoadTests.Scenarios;

/// <summary>
/// The tool calls the scenarios send. Every call has its own call_id (run id + sequence number), so
/// each one creates its own record; the user the agent acts for is never an approver, so the
/// approver bots are never refused for self-approval.
/// </summary>
internal sealed class Calls(string runId)
{
    public const string Tenant = "load";
    public const string OnBehalfOf = "load-user";

    public string RunId { get; } = runId;

    public static Calls ForNewRun() => new(Guid.NewGuid().ToString("N")[..12]);

    public CheckRequest Refund(long sequence, double amount, int agent = 0) => Build(sequence, agent, "payments.refund", new Struct
    {
        Fields =
        {
            ["order_id"] = Value.ForString("o-" + sequence.ToString(CultureInfo.InvariantCulture)),
            ["customer_id"] = Value.ForString("c-" + (sequence % 977).ToString(CultureInfo.InvariantCulture)),
            ["amount"] = Value.ForNumber(amount),
            ["currency"] = Value.ForString("EUR"),
        },
    });

    public CheckRequest BulkUpdate(long sequence, int agent = 0)
    {
        var ids = new ListValue();
        for (var i = 0; i < 120; i++)
        {
            ids.Values.Add(Value.ForNumber(i + 1));
        }

        return Build(sequence, agent, "db.update", new Struct
        {
            Fields =
            {
                ["table"] = Value.ForString("customers"),
                ["ids"] = Value.ForList([.. ids.Values]),
                ["set"] = Value.ForStruct(new Struct { Fields = { ["tier"] = Value.ForString("gold") } }),
            },
        });
    }

    /// <summary>A call to one of the timeout policy's tools (e.g. load.deny_1500ms).</summary>
    public CheckRequest Tool(long sequence, string tool, int agent = 0) => Build(sequence, agent, tool, new Struct
    {
        Fields = { ["ticket"] = Value.ForString("t-" + sequence.ToString(CultureInfo.InvariantCulture)) },
    });

    private CheckRequest Build(long sequence, int agent, string tool, Struct arguments) => new()
    {
        CallId = RunId + "-" + sequence.ToString(CultureInfo.InvariantCulture),
        Tool = tool,
        Arguments = arguments,
        Agent = new AgentContext
        {
            AgentId = "load-agent-" + agent.ToString(CultureInfo.InvariantCulture),
            Tenant = Tenant,
            OnBehalfOf = OnBehalfOf,
            SessionId = RunId,
        },
        Context = new CallContext { UserRequest = "refund the broken order", Reasoning = "the customer sent a photo of the damage" },
        Labels = { ["env"] = "load" },
    };
}
