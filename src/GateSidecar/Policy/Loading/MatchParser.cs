using System.Globalization;
using GateSidecar.Policy.Matching;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Loading;

/// <summary>Reads a rule's <c>match</c> into a <see cref="MatchClause"/>; the top-level tool goes to the index.</summary>
internal static class MatchParser
{
    public const string PathHint =
        "use args.<path>, current.<path>, labels.<key>, agent.id, agent.tenant, agent.on_behalf_of, confidence or tool";

    private const string KeyHint =
        "use tool, args.<path>, current.<path>, labels.<key>, agent.id, agent.tenant, agent.on_behalf_of, confidence or any";

    private const string EveryCall = "use tool: \"*\" to match every call";

    public static TopLevel? ParseTop(ParseContext context, string where, YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            context.Errors.Add(node, where, "match", $"expected a mapping of paths to values or operators, found {YamlScalars.Describe(node)}");
            return null;
        }

        if (map.Children.Count == 0)
        {
            context.Errors.Add(node, where, "match", $"must not be empty ({EveryCall})");
            return null;
        }

        string? tool = null;
        var clause = ParseClause(context, where, "match", map, ref tool, topLevel: true);
        return clause is null ? null : new TopLevel(clause, tool);
    }

    private static MatchClause? ParseClause(ParseContext context, string where, string prefix, YamlMappingNode map, ref string? tool, bool topLevel)
    {
        var valid = true;
        var conditions = new List<Condition>();
        var alternatives = new List<MatchClause>();
        foreach (var (keyNode, value) in map.Children)
        {
            var name = context.KeyText(keyNode, where);
            if (name is null)
            {
                valid = false;
                continue;
            }

            var key = $"{prefix}.{name}";
            if (name == "any")
            {
                valid &= ParseAny(context, where, key, value, alternatives);
                continue;
            }

            if (topLevel && name == "tool" && value is YamlScalarNode)
            {
                tool = context.RequireText(value, where, key, "a tool name or a glob such as \"deploy.*\"");
                valid &= tool is not null;
                continue;
            }

            var path = FieldPath.TryParse(name);
            if (path is null)
            {
                context.Errors.Add(keyNode, where, key, $"unknown key ({KeyHint})");
                valid = false;
                continue;
            }

            var predicates = PredicateParser.Parse(context, where, key, path, value);
            if (predicates is null)
            {
                valid = false;
                continue;
            }

            conditions.Add(new Condition(path, predicates));
        }

        return valid ? new MatchClause([.. conditions], [.. alternatives]) : null;
    }

    private static bool ParseAny(ParseContext context, string where, string key, YamlNode value, List<MatchClause> alternatives)
    {
        if (value is not YamlSequenceNode list)
        {
            context.Errors.Add(value, where, key, $"expected a list of match mappings, found {YamlScalars.Describe(value)}");
            return false;
        }

        if (list.Children.Count == 0)
        {
            context.Errors.Add(value, where, key, "must list at least one match");
            return false;
        }

        var valid = true;
        for (var i = 0; i < list.Children.Count; i++)
        {
            var itemKey = $"{key}[{i.ToString(CultureInfo.InvariantCulture)}]";
            if (list.Children[i] is not YamlMappingNode { Children.Count: > 0 } item)
            {
                context.Errors.Add(list.Children[i], where, itemKey, $"expected a non-empty match mapping, found {YamlScalars.Describe(list.Children[i])}");
                valid = false;
                continue;
            }

            string? ignored = null;
            var clause = ParseClause(context, where, itemKey, item, ref ignored, topLevel: false);
            if (clause is null)
            {
                valid = false;
                continue;
            }

            alternatives.Add(clause);
        }

        return valid;
    }

    /// <summary>The compiled match and the top-level tool (exact or glob) the rule is indexed under.</summary>
    internal sealed record TopLevel(MatchClause Clause, string? Tool);
}
