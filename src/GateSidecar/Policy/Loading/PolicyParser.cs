using System.Globalization;
using GateSidecar.Policy.Matching;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Loading;

/// <summary>
/// Turns policy YAML into a <see cref="CompiledPolicy"/> or into every error it holds. Order of work:
/// syntax, top-level keys, pools (everything refers to them), redact (reasons use it), defaults, rules.
/// </summary>
internal static class PolicyParser
{
    private const string TopKeys = "version, defaults, pools, rules, redact";
    private static readonly string[] TopKeyNames = ["version", "defaults", "pools", "rules", "redact"];

    public static PolicyLoadResult Parse(string yaml, string source)
    {
        var errors = new PolicyErrors(source);
        var root = ReadRoot(yaml, errors);
        if (root is null)
        {
            return new PolicyLoadResult(null, errors.ToList());
        }

        var context = new ParseContext(errors);
        var sections = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in root.Children)
        {
            var key = context.KeyText(keyNode, string.Empty);
            if (key is null)
            {
                continue;
            }

            if (Array.IndexOf(TopKeyNames, key) < 0)
            {
                errors.Add(keyNode, string.Empty, key, $"unknown key (allowed: {TopKeys})");
                continue;
            }

            sections[key] = value;
        }

        var version = ParseVersion(context, sections.GetValueOrDefault("version"), root);
        ParsePools(context, sections.GetValueOrDefault("pools"));
        context.Redaction = new RedactionSet(ParseRedact(context, sections.GetValueOrDefault("redact")));
        var defaults = DefaultsParser.Parse(context, sections.GetValueOrDefault("defaults"), root);
        var rules = ParseRules(context, sections.GetValueOrDefault("rules"), defaults);
        if (errors.Count > 0 || version is null)
        {
            return new PolicyLoadResult(null, errors.ToList());
        }

        var policy = new CompiledPolicy(version, source, defaults.Tier, defaults.Route, rules, context.Pools, context.Redaction);
        return new PolicyLoadResult(policy, []);
    }

    private static YamlMappingNode? ReadRoot(string yaml, PolicyErrors errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            errors.AddAt(e.Start.Line, e.Start.Column, $"syntax error: {e.Message}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // The scanner gives up this way when the text ends inside a flow collection.
            var lines = yaml.TrimEnd().Split('\n').Length;
            errors.AddAt(lines, 1, "syntax error: the file ends inside an unclosed '[' or '{'");
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            errors.AddAt(1, 1, $"the policy is empty (expected keys {TopKeys})");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            errors.AddAt(second.Start.Line, second.Start.Column,
                $"the file holds {stream.Documents.Count.ToString(CultureInfo.InvariantCulture)} YAML documents; a policy is exactly one");
            return null;
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlMappingNode map)
        {
            return map;
        }

        errors.Add(root, string.Empty, null, $"the policy must be a mapping with keys {TopKeys}, found {YamlScalars.Describe(root)}");
        return null;
    }

    private static string? ParseVersion(ParseContext context, YamlNode? node, YamlNode root)
    {
        if (node is null)
        {
            context.Errors.Add(root, string.Empty, "version", "is missing (add e.g. version: \"2026-11-21.1\")");
            return null;
        }

        return context.RequireText(node, string.Empty, "version", "a non-empty string such as \"2026-11-21.1\"");
    }

    private static void ParsePools(ParseContext context, YamlNode? node)
    {
        if (node is null)
        {
            return;
        }

        if (node is not YamlMappingNode map)
        {
            context.Errors.Add(node, string.Empty, "pools", $"expected a mapping of pool names to lists of approver ids, found {YamlScalars.Describe(node)}");
            return;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var name = context.KeyText(keyNode, "pools");
            if (name is null)
            {
                continue;
            }

            if (!ParseContext.IsName(name))
            {
                context.Errors.Add(keyNode, "pools", name, $"'{name}' is not a valid pool name ({ParseContext.NameRule})");
                continue;
            }

            var members = ParseMembers(context, name, value);
            if (members is not null)
            {
                context.Pools.Add(new(name, members));
            }
        }
    }

    private static string[]? ParseMembers(ParseContext context, string pool, YamlNode node)
    {
        if (node is not YamlSequenceNode list)
        {
            context.Errors.Add(node, "pools", pool, $"expected a list of approver ids, found {YamlScalars.Describe(node)}");
            return null;
        }

        if (list.Children.Count == 0)
        {
            context.Errors.Add(node, "pools", pool, "the pool has no members");
            return null;
        }

        var members = new List<string>();
        foreach (var item in list.Children)
        {
            var id = context.RequireText(item, "pools", pool, "an approver id");
            if (id is null)
            {
                return null;
            }

            if (members.Contains(id))
            {
                context.Errors.Add(item, "pools", pool, $"approver '{id}' is listed twice");
                return null;
            }

            members.Add(id);
        }

        return [.. members];
    }

    private static string[] ParseRedact(ParseContext context, YamlNode? node)
    {
        if (node is null)
        {
            return [];
        }

        if (node is not YamlSequenceNode list)
        {
            context.Errors.Add(node, string.Empty, "redact", $"expected a list of paths such as [args.password], found {YamlScalars.Describe(node)}");
            return [];
        }

        var paths = new List<string>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var key = $"redact[{i.ToString(CultureInfo.InvariantCulture)}]";
            var path = context.RequireText(list.Children[i], string.Empty, key, "a path");
            if (path is null)
            {
                continue;
            }

            var parsed = FieldPath.TryParse(path);
            if (parsed is null || parsed.Source is not (FieldSource.Args or FieldSource.Current) || !path.Contains('.', StringComparison.Ordinal))
            {
                context.Errors.Add(list.Children[i], string.Empty, key, $"'{path}' is not a redactable path (use args.<dotted.path> or current.<dotted.path>)");
                continue;
            }

            paths.Add(path);
        }

        return [.. paths];
    }

    private static List<CompiledRule> ParseRules(ParseContext context, YamlNode? node, DefaultsSpec defaults)
    {
        var rules = new List<CompiledRule>();
        if (node is null || (node is YamlScalarNode scalar && YamlScalars.Resolve(scalar).Kind == FieldKind.Null))
        {
            return rules;
        }

        if (node is not YamlSequenceNode list)
        {
            context.Errors.Add(node, string.Empty, "rules", $"expected a list of rules, found {YamlScalars.Describe(node)}");
            return rules;
        }

        var ids = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var rule = RuleParser.Parse(context, list.Children[i], i, defaults, ids);
            if (rule is not null)
            {
                rules.Add(rule);
            }
        }

        return rules;
    }
}
