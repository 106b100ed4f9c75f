using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gate.V1;
using GateSidecar.Policy;
using GateSidecar.Policy.Loading;
using GateSidecar.Policy.Testing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace GateCtl.Commands.Policy;

/// <summary>One decision as <c>policy eval</c> shows it; impact values at redacted paths are <c>***</c>.</summary>
internal sealed record EvalReport(
    string Verdict,
    string Tier,
    string Rule,
    string Reason,
    string PolicyVersion,
    bool Pending,
    string Pool,
    int Quorum,
    IReadOnlyList<EvalReport.Rung> Ladder,
    IReadOnlyList<KeyValuePair<string, string?>> Impact)
{
    public static EvalReport Create(CompiledPolicy policy, CheckRequest request)
    {
        var decision = policy.Evaluate(request);
        var route = decision.Route;
        var pending = decision.Verdict == Gate.V1.Verdict.Pending;
        var ladder = new List<Rung>();
        if (pending)
        {
            var deadline = route.Timeout;
            ladder.Add(new Rung(0, route.Pool, Format(route.Timeout), Format(deadline), Name(route.OnTimeout)));
            for (var i = 0; i < route.Ladder.Count; i++)
            {
                var rung = route.Ladder[i];
                deadline += rung.Timeout;
                ladder.Add(new Rung(i + 1, rung.Pool, Format(rung.Timeout), Format(deadline), Name(rung.OnTimeout)));
            }
        }

        var impact = new List<KeyValuePair<string, string?>>();
        foreach (var path in route.ImpactPaths)
        {
            string? shown = null;
            if (policy.IsRedacted(path))
            {
                shown = "***";
            }
            else if (PolicyPaths.TryResolve(request, path, out var value))
            {
                shown = Show(value!);
            }

            impact.Add(new(path, shown));
        }

        return new EvalReport(
            PolicyTestCase.VerdictName(decision.Verdict),
            PolicyTiers.Name(decision.Tier),
            decision.RuleId,
            decision.DescribeReason(),
            decision.PolicyVersion,
            pending,
            route.Pool,
            route.Quorum,
            ladder,
            impact);
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            json.WriteStartObject();
            json.WriteString("verdict", Verdict);
            json.WriteString("tier", Tier);
            json.WriteString("rule", Rule);
            json.WriteString("reason", Reason);
            json.WriteString("policy_version", PolicyVersion);
            if (Pending)
            {
                json.WriteString("pool", Pool);
                json.WriteNumber("quorum", Quorum);
                json.WriteStartArray("ladder");
                foreach (var rung in Ladder)
                {
                    json.WriteStartObject();
                    json.WriteNumber("level", rung.Level);
                    json.WriteString("pool", rung.Pool);
                    json.WriteString("timeout", rung.Timeout);
                    json.WriteString("deadline_after", rung.Deadline);
                    json.WriteString("on_timeout", rung.OnTimeout);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteStartArray("impact");
            foreach (var (label, value) in Impact)
            {
                json.WriteStartObject();
                json.WriteString("label", label);
                json.WriteString("value", value);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    // Long values are cut for reading; the full call is in the approval, not in a summary line.
    private static string Show(Value value)
    {
        const int MaxLength = 120;
        var text = value.KindCase == Value.KindOneofCase.StringValue ? value.StringValue : JsonFormatter.Default.Format(value);
        if (value.KindCase == Value.KindOneofCase.ListValue && text.Length > MaxLength)
        {
            text = $"{value.ListValue.Values.Count} items: {text}";
        }

        return text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength - 3), "...");
    }

    private static string Format(TimeSpan duration) => PolicyDuration.Format(duration);

    private static string Name(TimeoutAction action) => action == TimeoutAction.Escalate ? "escalate" : "deny";

    /// <summary>Level 0 is the rule's own pool; <see cref="Deadline"/> is counted from the call.</summary>
    internal sealed record Rung(int Level, string Pool, string Timeout, string Deadline, string OnTimeout);
}
