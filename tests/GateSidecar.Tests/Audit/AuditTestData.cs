using Gate.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using GateSidecar.Audit;

namespace GateSidecar.Tests.Audit;

internal static class AuditTestData
{
    public static readonly DateTimeOffset Start = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static readonly string[] Types = ["created", "decision", "approved", "executed", "allowed", "denied", "escalated", "rejected"];

    /// <summary>A sealed chain of <paramref name="count"/> entries, seq 1..count, as a store would hold it.</summary>
    public static List<AuditEvent> Chain(int count)
    {
        var chain = new List<AuditEvent>(count);
        var prev = AuditChain.Genesis;
        for (var i = 1; i <= count; i++)
        {
            var entry = AuditChain.Seal(Draft(i), i, prev);
            prev = entry.Hash;
            chain.Add(entry);
        }

        return chain;
    }

    public static AuditEvent Draft(int i)
    {
        var entry = new AuditEvent
        {
            At = Timestamp.FromDateTimeOffset(Start.AddMilliseconds(1234.5 * i)),
            ApprovalId = $"apr_{i / 3:D4}",
            Type = Types[i % Types.Length],
            Actor = i % 2 == 0 ? "approver:alice" : "agent:agent-7",
            Tier = (RiskTier)(1 + (i % 4)),
            Rule = "large-refund",
            PolicyVersion = "2026-11-21.1",
            ArgsSha256 = new string((char)('a' + (i % 6)), 64),
            Verdict = i % 2 == 0 ? "APPROVE" : string.Empty,
            Reason = i % 5 == 0 ? "Zoë approved: \"fine\" \u2014 ok" : string.Empty,
        };
        if (i % 4 == 0)
        {
            entry.Patch.Add(new JsonPatchOp { Op = "replace", Path = "/amount", Value = Value.ForNumber(450.25) });
            entry.Patch.Add(new JsonPatchOp { Op = "add", Path = "/note", Value = Value.ForStruct(JsonParser.Default.Parse<Struct>("""{"b":1e21,"a":[true,null]}""")) });
        }

        return entry;
    }

    public static async IAsyncEnumerable<AuditEvent> Stream(IEnumerable<AuditEvent> entries)
    {
        foreach (var entry in entries)
        {
            await Task.Yield();
            yield return entry;
        }
    }
}
