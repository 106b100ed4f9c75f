using System.Text.RegularExpressions;
using GateSidecar.Policy.Matching;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Loading;

/// <summary>
/// Compiles the value of one match key: a bare scalar (<c>eq</c>, or a glob for <c>tool</c>) or a mapping of
/// operators, all of which must hold.
/// </summary>
internal static class PredicateParser
{
    private const string Operators = "eq, ne, gt, gte, lt, lte, in, not_in, matches, exists, count_gt, count_lt";

    public static Predicate[]? Parse(ParseContext context, string where, string key, FieldPath path, YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                var value = YamlScalars.Resolve(scalar);
                if (path.Source == FieldSource.Tool && value.Kind == FieldKind.String && ToolGlob.IsGlob(value.Text!))
                {
                    return [new GlobPredicate(new ToolGlob(value.Text!))];
                }

                var operand = Operand(context, where, key, path, "eq", scalar);
                return operand is null ? null : [new EqualityPredicate(operand.Value, negate: false)];
            case YamlSequenceNode:
                context.Errors.Add(node, where, key, "a list is not a value; use { in: [...] } to match one of several values");
                return null;
            case YamlMappingNode { Children.Count: 0 }:
                context.Errors.Add(node, where, key, "expected a value or operators such as { gt: 500 }, found an empty mapping");
                return null;
        }

        var valid = true;
        var predicates = new List<Predicate>();
        foreach (var (opNode, operandNode) in ((YamlMappingNode)node).Children)
        {
            var op = context.KeyText(opNode, where);
            var predicate = op is null ? null : ParseOperator(context, where, key, path, op, opNode, operandNode);
            if (predicate is null)
            {
                valid = false;
                continue;
            }

            predicates.Add(predicate);
        }

        return valid ? [.. predicates] : null;
    }

    private static Predicate? ParseOperator(
        ParseContext context, string where, string key, FieldPath path, string op, YamlNode opNode, YamlNode node)
    {
        switch (op)
        {
            case "eq" or "ne":
                if (node is not YamlScalarNode scalar)
                {
                    context.Errors.Add(node, where, key, $"'{op}' expects a single value (a string, number, true/false or null), found {YamlScalars.Describe(node)}");
                    return null;
                }

                var operand = Operand(context, where, key, path, op, scalar);
                return operand is null ? null : new EqualityPredicate(operand.Value, negate: op == "ne");
            case "gt" or "gte" or "lt" or "lte":
                if (!Applies(context, where, key, path, op, node))
                {
                    return null;
                }

                var number = Number(context, where, key, op, node, wholeAndPositive: false);
                return number is null ? null : new ComparisonPredicate(
                    op switch
                    {
                        "gt" => ComparisonOperator.GreaterThan,
                        "gte" => ComparisonOperator.GreaterOrEqual,
                        "lt" => ComparisonOperator.LessThan,
                        _ => ComparisonOperator.LessOrEqual,
                    },
                    number.Value);
            case "in" or "not_in":
                var items = Items(context, where, key, path, op, node);
                return items is null ? null : new MembershipPredicate(items, negate: op == "not_in");
            case "matches":
                return Applies(context, where, key, path, op, node) ? Regex(context, where, key, node) : null;
            case "exists":
                if (node is YamlScalarNode flagNode && YamlScalars.Resolve(flagNode) is { Kind: FieldKind.Bool } flag)
                {
                    return new ExistsPredicate(flag.Bool);
                }

                context.Errors.Add(node, where, key, $"'exists' expects true or false, found {YamlScalars.Describe(node)}");
                return null;
            case "count_gt" or "count_lt":
                if (!Applies(context, where, key, path, op, node))
                {
                    return null;
                }

                var count = Number(context, where, key, op, node, wholeAndPositive: true);
                return count is null ? null : new CountPredicate(op == "count_gt", (int)count.Value);
            default:
                context.Errors.Add(opNode, where, key, $"operator '{op}' is not allowed (use {Operators})");
                return null;
        }
    }

    /// <summary>Refuses operators that can never hold for a source of fixed type (labels are strings, confidence a number).</summary>
    private static bool Applies(ParseContext context, string where, string key, FieldPath path, string op, YamlNode node)
    {
        var numeric = op is "gt" or "gte" or "lt" or "lte";
        var counting = op is "count_gt" or "count_lt";
        string? kind = null;
        if (path.IsStringSource && (numeric || counting))
        {
            kind = "a string";
        }
        else if (path.Source == FieldSource.Confidence && !numeric)
        {
            kind = "a number";
        }

        if (kind is not null)
        {
            context.Errors.Add(node, where, key, $"'{op}' never holds for {path.Text}, which is always {kind}");
        }

        return kind is null;
    }

    /// <summary>
    /// An eq/ne/in operand. Labels, agent fields and the tool are always strings, so <c>labels.priority: 1</c>
    /// means the string "1"; confidence is always a number.
    /// </summary>
    private static FieldValue? Operand(ParseContext context, string where, string key, FieldPath path, string op, YamlScalarNode scalar)
    {
        var value = YamlScalars.Resolve(scalar);
        if (path.IsStringSource && value.Kind is FieldKind.Number or FieldKind.Bool)
        {
            return FieldValue.OfString(scalar.Value!);
        }

        if (path.Source == FieldSource.Confidence && value.Kind is FieldKind.String or FieldKind.Bool)
        {
            context.Errors.Add(scalar, where, key, $"'{op}' on confidence expects a number, found {YamlScalars.Describe(value)}");
            return null;
        }

        return value;
    }

    private static double? Number(ParseContext context, string where, string key, string op, YamlNode node, bool wholeAndPositive)
    {
        if (node is YamlScalarNode scalar && YamlScalars.Resolve(scalar) is { Kind: FieldKind.Number } value
            && (!wholeAndPositive || (value.Number >= 0 && value.Number == Math.Floor(value.Number) && value.Number <= int.MaxValue)))
        {
            return value.Number;
        }

        var expected = wholeAndPositive ? "a whole number of at least 0" : "a number";
        context.Errors.Add(node, where, key, $"'{op}' expects {expected}, found {YamlScalars.Describe(node)}");
        return null;
    }

    private static FieldValue[]? Items(ParseContext context, string where, string key, FieldPath path, string op, YamlNode node)
    {
        if (node is not YamlSequenceNode list)
        {
            context.Errors.Add(node, where, key, $"'{op}' expects a list of values, found {YamlScalars.Describe(node)}");
            return null;
        }

        if (list.Children.Count == 0)
        {
            context.Errors.Add(node, where, key, $"'{op}' needs at least one value");
            return null;
        }

        var items = new FieldValue[list.Children.Count];
        for (var i = 0; i < items.Length; i++)
        {
            if (list.Children[i] is not YamlScalarNode scalar)
            {
                context.Errors.Add(list.Children[i], where, key, $"'{op}' expects a list of values, found {YamlScalars.Describe(list.Children[i])} inside it");
                return null;
            }

            var item = Operand(context, where, key, path, op, scalar);
            if (item is null)
            {
                return null;
            }

            items[i] = item.Value;
        }

        return items;
    }

    private static RegexPredicate? Regex(ParseContext context, string where, string key, YamlNode node)
    {
        if (node is not YamlScalarNode scalar || YamlScalars.Resolve(scalar) is not { Kind: FieldKind.String } pattern)
        {
            context.Errors.Add(node, where, key, $"'matches' expects a regular expression string, found {YamlScalars.Describe(node)}");
            return null;
        }

        try
        {
            return new RegexPredicate(new Regex(pattern.Text!, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            context.Errors.Add(node, where, key, $"'matches' has an invalid regular expression: {e.Message}");
            return null;
        }
    }
}
