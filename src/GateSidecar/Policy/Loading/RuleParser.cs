using System.Globalization;
using Gate.V1;
using GateSidecar.Policy.Matching;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Loading;

/// <summary>Reads one entry of <c>rules</c> and resolves its route against <c>defaults</c>.</summary>
internal static class RuleParser
{
    private const string Allowed = "id, description, match, tier, pool, quorum, timeout, on_timeout, escalate_to, impact";
    private const string TierHint = "use auto, single, quorum or block";

    public static CompiledRule? Parse(ParseContext context, YamlNode node, int order, DefaultsSpec defaults, Dictionary<string, YamlNode> ids)
    {
        var where = $"rule #{(order + 1).ToString(CultureInfo.InvariantCulture)}";
        if (node is not YamlMappingNode map)
        {
            context.Errors.Add(node, where, null, $"expected a mapping with keys id, match and tier, found {YamlScalars.Describe(node)}");
            return null;
        }

        var errorsBefore = context.Errors.Count;
        var id = ParseId(context, map, ref where, ids);
        var keys = new RouteKeys();
        RiskTier? tier = null;
        YamlNode? tierNode = null;
        MatchParser.TopLevel? match = null;
        YamlNode? matchNode = null;
        IReadOnlyList<string> impact = [];
        foreach (var (keyNode, value) in map.Children)
        {
            var key = context.KeyText(keyNode, where);
            if (key is null or "id" || RouteParser.TryParseKey(context, where, key, value, keys))
            {
                continue;
            }

            switch (key)
            {
                case "description":
                    context.RequireText(value, where, key, "a sentence");
                    break;
                case "match":
                    matchNode = value;
                    match = MatchParser.ParseTop(context, where, value);
                    break;
                case "tier":
                    tierNode = value;
                    tier = ParseTier(context, where, value);
                    break;
                case "impact":
                    impact = ParseImpact(context, where, value);
                    break;
                default:
                    context.Errors.Add(keyNode, where, key, $"unknown key (allowed: {Allowed})");
                    break;
            }
        }

        if (matchNode is null)
        {
            context.Errors.Add(map, where, "match", "is missing (use tool: \"*\" to match every call)");
        }

        if (tierNode is null)
        {
            context.Errors.Add(map, where, "tier", $"is missing ({TierHint})");
        }

        var route = tier is { } known ? ResolveRoute(context, where, map, known, keys, defaults, impact) : null;
        if (context.Errors.Count > errorsBefore || id is null || match is null || tier is null || route is null)
        {
            return null;
        }

        return new CompiledRule(id, order, tier.Value, route, match.Clause, match.Tool, context.Redaction);
    }

    public static RiskTier? ParseTier(ParseContext context, string where, YamlNode value, string key = "tier")
    {
        if (value is YamlScalarNode { Value: { } text } && PolicyTiers.TryParse(text, out var tier))
        {
            return tier;
        }

        var found = value is YamlScalarNode { Value: { Length: > 0 } shown } ? $"'{shown}' is not a tier" : $"expected a tier, found {YamlScalars.Describe(value)}";
        context.Errors.Add(value, where, key, $"{found} ({TierHint})");
        return null;
    }

    /// <summary>A quorum needs at least 2 approvers and no more than the pool, and every escalation pool, holds.</summary>
    public static void CheckQuorum(ParseContext context, string where, int quorum, YamlNode at, string pool, RungSpec? ladder)
    {
        if (quorum < 2)
        {
            context.Errors.Add(at, where, "quorum", $"must be at least 2, found {quorum.ToString(CultureInfo.InvariantCulture)} (a quorum of 1 is tier single)");
            return;
        }

        if (context.MembersOf(pool) is { } members && members.Length < quorum)
        {
            context.Errors.Add(at, where, "quorum", $"{quorum.ToString(CultureInfo.InvariantCulture)} is larger than pool '{pool}' ({Members(members.Length)})");
        }

        for (var rung = ladder; rung is not null; rung = rung.Next)
        {
            if (rung.Pool is not null && context.MembersOf(rung.Pool) is { } rungMembers && rungMembers.Length < quorum)
            {
                context.Errors.Add(rung.PoolNode, where, $"{rung.KeyPath}.pool",
                    $"pool '{rung.Pool}' has {Members(rungMembers.Length)}, fewer than the quorum of {quorum.ToString(CultureInfo.InvariantCulture)}");
            }
        }
    }

    private static string Members(int count) =>
        count == 1 ? "1 member" : $"{count.ToString(CultureInfo.InvariantCulture)} members";

    private static string? ParseId(ParseContext context, YamlMappingNode map, ref string where, Dictionary<string, YamlNode> ids)
    {
        YamlNode? idNode = null;
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is YamlScalarNode { Value: "id" })
            {
                idNode = value;
            }
        }

        if (idNode is null)
        {
            context.Errors.Add(map, where, "id", "is missing");
            return null;
        }

        var id = context.RequireText(idNode, where, "id", "a rule id");
        if (id is null)
        {
            return null;
        }

        if (!ParseContext.IsName(id))
        {
            context.Errors.Add(idNode, where, "id", $"'{id}' is not a valid id ({ParseContext.NameRule})");
            return null;
        }

        where = $"rule '{id}'";
        if (ids.TryGetValue(id, out var first))
        {
            context.Errors.Add(idNode, where, "id", $"duplicate id (first used at line {first.Start.Line.ToString(CultureInfo.InvariantCulture)})");
            return null;
        }

        ids[id] = idNode;
        return id;
    }

    private static IReadOnlyList<string> ParseImpact(ParseContext context, string where, YamlNode value)
    {
        if (value is not YamlSequenceNode list)
        {
            context.Errors.Add(value, where, "impact", $"expected a list of paths such as [args.amount], found {YamlScalars.Describe(value)}");
            return [];
        }

        var paths = new List<string>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var key = $"impact[{i.ToString(CultureInfo.InvariantCulture)}]";
            var path = context.RequireText(list.Children[i], where, key, "a path");
            if (path is null)
            {
                continue;
            }

            if (FieldPath.TryParse(path) is null)
            {
                context.Errors.Add(list.Children[i], where, key, $"'{path}' is not a path ({MatchParser.PathHint})");
                continue;
            }

            paths.Add(path);
        }

        return paths;
    }

    private static ApprovalRoute? ResolveRoute(
        ParseContext context, string where, YamlMappingNode map, RiskTier tier, RouteKeys keys, DefaultsSpec defaults, IReadOnlyList<string> impact)
    {
        if (tier is RiskTier.Auto or RiskTier.Block)
        {
            foreach (var (key, node) in keys.Written())
            {
                context.Errors.Add(node, where, key, $"has no effect on tier {PolicyTiers.Name(tier)} (only single and quorum reach people)");
            }

            return defaults.Route with { Quorum = 0, ImpactPaths = impact };
        }

        var valid = true;
        var pool = keys.Pool ?? defaults.Pool;
        if (keys.PoolNode is null && !defaults.PoolDefined && !defaults.PoolReported)
        {
            context.Errors.Add(map, where, "pool", $"is missing and the default pool '{defaults.Pool}' is not defined in pools");
            valid = false;
        }

        var quorum = 1;
        if (tier == RiskTier.Single && keys.QuorumNode is not null)
        {
            context.Errors.Add(keys.QuorumNode, where, "quorum", "only a quorum tier takes a quorum (tier is single)");
            valid = false;
        }

        var onTimeout = keys.OnTimeout ?? defaults.OnTimeout;
        var escalateTo = keys.EscalateToNode is not null ? keys.EscalateTo : defaults.EscalateTo;
        if (keys.OnTimeout == TimeoutAction.Escalate && keys.EscalateToNode is null && defaults.EscalateTo is null && !defaults.EscalateToBroken)
        {
            context.Errors.Add(keys.OnTimeoutNode, where, "escalate_to", "is missing (on_timeout is escalate)");
            valid = false;
        }
        else if (keys.EscalateToNode is not null && onTimeout != TimeoutAction.Escalate && (keys.OnTimeoutNode is null || keys.OnTimeout is not null))
        {
            context.Errors.Add(keys.EscalateToNode, where, "escalate_to", "has no effect unless on_timeout is escalate");
            valid = false;
        }

        if (tier == RiskTier.Quorum)
        {
            quorum = keys.Quorum ?? 2;
            if (keys.QuorumNode is null || keys.Quorum is not null)
            {
                CheckQuorum(context, where, quorum, keys.QuorumNode ?? map, pool, onTimeout == TimeoutAction.Escalate ? escalateTo : null);
            }
        }

        if (!valid)
        {
            return null;
        }

        var timeout = keys.Timeout ?? defaults.Timeout;
        var ladder = onTimeout == TimeoutAction.Escalate && escalateTo is not null ? escalateTo.ToLadder(defaults.Timeout) : [];
        return new ApprovalRoute(pool, quorum, timeout, onTimeout, ladder, impact);
    }
}
