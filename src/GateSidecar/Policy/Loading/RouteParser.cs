using System.Globalization;
using GateSidecar.Policy.Matching;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Loading;

/// <summary>Reads <c>pool</c>, <c>quorum</c>, <c>timeout</c>, <c>on_timeout</c> and <c>escalate_to</c>.</summary>
internal static class RouteParser
{
    private const int MaxLadderDepth = 10;
    private const string DurationHint = "use a number with a unit ms, s, m or h, e.g. 90s or 1h30m";
    private const string RungKeys = "pool, timeout, on_timeout, escalate_to";

    /// <summary>Reads one routing key into <paramref name="keys"/>; false when <paramref name="key"/> is not a routing key.</summary>
    public static bool TryParseKey(ParseContext context, string where, string key, YamlNode value, RouteKeys keys)
    {
        switch (key)
        {
            case "pool":
                keys.PoolNode = value;
                keys.Pool = ParsePool(context, where, key, value);
                return true;
            case "quorum":
                keys.QuorumNode = value;
                keys.Quorum = ParseWholeNumber(context, where, key, value);
                return true;
            case "timeout":
                keys.TimeoutNode = value;
                keys.Timeout = ParseDuration(context, where, key, value);
                return true;
            case "on_timeout":
                keys.OnTimeoutNode = value;
                keys.OnTimeout = ParseTimeoutAction(context, where, key, value);
                return true;
            case "escalate_to":
                keys.EscalateToNode = value;
                keys.EscalateTo = ParseRung(context, where, key, value, 1);
                return true;
            default:
                return false;
        }
    }

    public static string? ParsePool(ParseContext context, string where, string key, YamlNode value)
    {
        var pool = context.RequireText(value, where, key, "a pool name");
        if (pool is not null && !context.PoolExists(pool))
        {
            context.Errors.Add(value, where, key, $"pool '{pool}' is not defined in pools");
            return null;
        }

        return pool;
    }

    public static int? ParseWholeNumber(ParseContext context, string where, string key, YamlNode value)
    {
        if (value is YamlScalarNode scalar)
        {
            var parsed = YamlScalars.Resolve(scalar);
            if (parsed.Kind == FieldKind.Number && parsed.Number == Math.Floor(parsed.Number) && Math.Abs(parsed.Number) < 1_000_000)
            {
                return (int)parsed.Number;
            }
        }

        context.Errors.Add(value, where, key, $"expected a whole number, found {YamlScalars.Describe(value)}");
        return null;
    }

    public static TimeSpan? ParseDuration(ParseContext context, string where, string key, YamlNode value)
    {
        if (value is not YamlScalarNode { Value: { Length: > 0 } text } scalar || YamlScalars.Resolve(scalar).Kind == FieldKind.Null)
        {
            context.Errors.Add(value, where, key, $"expected a duration ({DurationHint}), found {YamlScalars.Describe(value)}");
            return null;
        }

        if (!PolicyDuration.TryParse(text, out var duration))
        {
            context.Errors.Add(value, where, key, $"'{text}' is not a duration ({DurationHint})");
            return null;
        }

        if (duration <= TimeSpan.Zero)
        {
            context.Errors.Add(value, where, key, $"'{text}' must be longer than zero");
            return null;
        }

        return duration;
    }

    public static TimeoutAction? ParseTimeoutAction(ParseContext context, string where, string key, YamlNode value)
    {
        if (value is YamlScalarNode { Value: { } text } scalar && YamlScalars.Resolve(scalar).Kind == FieldKind.String)
        {
            switch (text)
            {
                case "deny": return TimeoutAction.Deny;
                case "escalate": return TimeoutAction.Escalate;
                default:
                    context.Errors.Add(value, where, key, $"'{text}' is not allowed (use deny or escalate)");
                    return null;
            }
        }

        context.Errors.Add(value, where, key, $"expected deny or escalate, found {YamlScalars.Describe(value)}");
        return null;
    }

    private static RungSpec? ParseRung(ParseContext context, string where, string keyPath, YamlNode node, int depth)
    {
        if (node is not YamlMappingNode map)
        {
            context.Errors.Add(node, where, keyPath, $"expected a mapping with pool and timeout, found {YamlScalars.Describe(node)}");
            return null;
        }

        if (depth > MaxLadderDepth)
        {
            context.Errors.Add(node, where, keyPath, $"the escalation ladder is deeper than {MaxLadderDepth.ToString(CultureInfo.InvariantCulture)} rungs");
            return null;
        }

        var rung = new RungSpec(node, keyPath);
        YamlNode? nextNode = null;
        TimeoutAction? onTimeout = null;
        var valid = true;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = context.KeyText(keyNode, where);
            switch (key)
            {
                case null:
                    valid = false;
                    break;
                case "pool":
                    rung.PoolNode = value;
                    rung.Pool = ParsePool(context, where, $"{keyPath}.pool", value);
                    valid &= rung.Pool is not null;
                    break;
                case "timeout":
                    rung.Timeout = ParseDuration(context, where, $"{keyPath}.timeout", value);
                    valid &= rung.Timeout is not null;
                    break;
                case "on_timeout":
                    onTimeout = ParseTimeoutAction(context, where, $"{keyPath}.on_timeout", value);
                    valid &= onTimeout is not null;
                    break;
                case "escalate_to":
                    nextNode = value;
                    rung.Next = ParseRung(context, where, $"{keyPath}.escalate_to", value, depth + 1);
                    valid &= rung.Next is not null;
                    break;
                default:
                    context.Errors.Add(keyNode, where, $"{keyPath}.{key}", $"unknown key (allowed: {RungKeys})");
                    valid = false;
                    break;
            }
        }

        if (rung.PoolNode is null)
        {
            context.Errors.Add(node, where, $"{keyPath}.pool", "is missing");
            valid = false;
        }

        rung.OnTimeout = onTimeout ?? TimeoutAction.Deny;
        if (rung.OnTimeout == TimeoutAction.Escalate && nextNode is null)
        {
            context.Errors.Add(node, where, $"{keyPath}.escalate_to", $"is missing ({keyPath}.on_timeout is escalate)");
            valid = false;
        }
        else if (onTimeout != TimeoutAction.Escalate && nextNode is not null)
        {
            context.Errors.Add(nextNode, where, $"{keyPath}.escalate_to", $"has no effect unless {keyPath}.on_timeout is escalate");
            valid = false;
        }

        return valid ? rung : null;
    }
}
