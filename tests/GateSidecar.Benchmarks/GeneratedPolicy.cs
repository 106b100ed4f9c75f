using System.Globalization;
using System.Text;

namespace GateSidecar.Benchmarks;

/// <summary>
/// Writes a realistic policy of a given size: many distinct tools with two or three rules each (auto below a
/// threshold, single above it, quorum far above it, several predicates apiece) and about one rule in eight a
/// glob (freeze blocks per service, bulk quorums per verb, trial-agent reviews, a card-number block on every tool).
/// </summary>
internal static class GeneratedPolicy
{
    private static readonly string[] Verbs = ["refund", "payout", "update", "send"];

    /// <summary>The tool the benchmarks call: in the middle of the generated names, so lookups are not lucky.</summary>
    public static string TargetTool(int rules) => ToolName(ExactTools(rules) / 2);

    public static string Create(int rules)
    {
        var globs = Math.Max(3, rules / 8);
        var exact = rules - globs;
        var yaml = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"version: \"bench-{rules}\"")
            .AppendLine("defaults: { tier: single, pool: ops, timeout: 15m }")
            .AppendLine("pools:")
            .AppendLine("  ops: [alice, bob, carol, dave]")
            .AppendLine("  finance: [alice, bob]")
            .AppendLine("  leads: [carol, dave]")
            .AppendLine("redact: [args.card_number, args.password]")
            .AppendLine("rules:")
            .AppendLine("  - { id: card-number, match: { tool: \"*\", args.card_number: { matches: \"^[0-9]{13,19}$\" } }, tier: block }");

        for (var i = 0; i < exact; i++)
        {
            var tool = ToolName(i / 3);
            var rule = (i % 3) switch
            {
                0 => $"{{ id: r{i}-small, match: {{ tool: {tool}, args.amount: {{ lte: 500 }}, labels.env: {{ in: [dev, staging, prod] }} }}, tier: auto }}",
                1 => $"{{ id: r{i}-large, match: {{ tool: {tool}, args.amount: {{ gt: 500 }}, labels.customer_tier: {{ ne: internal }} }}, tier: single, pool: finance, timeout: 30m, on_timeout: escalate, escalate_to: {{ pool: leads, timeout: 1h }}, impact: [args.amount] }}",
                _ => $"{{ id: r{i}-huge, match: {{ tool: {tool}, args.amount: {{ gt: 10000 }}, args.currency: {{ in: [EUR, USD, GBP] }} }}, tier: quorum, pool: finance }}",
            };
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - {rule}");
        }

        for (var k = 1; k < globs; k++)
        {
            var service = k % Math.Max(1, ExactTools(rules) / Verbs.Length);
            var rule = (k % 3) switch
            {
                0 => $"{{ id: g{k}-freeze, match: {{ tool: \"svc{service}.*\", labels.env: prod, labels.change_freeze: \"true\" }}, tier: block }}",
                1 => $"{{ id: g{k}-bulk, match: {{ tool: \"*.{Verbs[k % Verbs.Length]}\", args.ids: {{ count_gt: 100 }} }}, tier: quorum, pool: ops }}",
                _ => $"{{ id: g{k}-trial, match: {{ tool: \"svc{service}.*\", agent.id: {{ matches: \"^trial-\" }}, confidence: {{ lt: 0.5 }} }}, tier: single }}",
            };
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - {rule}");
        }

        return yaml.ToString();
    }

    private static int ExactTools(int rules) => Math.Max(1, (rules - Math.Max(3, rules / 8)) / 3);

    private static string ToolName(int index) => $"svc{index / Verbs.Length}.{Verbs[index % Verbs.Length]}";
}
