using GateSidecar.Policy.Loading;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Testing;

/// <summary>
/// A policy test file: <c>cases: [{name, call: {tool, arguments, current, labels, agent, context}, expect: {tier,
/// rule, verdict, reason, pool, quorum}}]</c>, plus an inline <c>policy</c> text when the caller allows one.
/// </summary>
internal sealed record PolicyTestSuite(string? InlinePolicy, IReadOnlyList<PolicyTestCase> Cases, IReadOnlyList<string> Errors)
{
    public static PolicyTestSuite LoadFile(string path, bool allowInlinePolicy)
    {
        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new PolicyTestSuite(null, [], [$"{path}: cannot read the cases file: {e.Message}"]);
        }

        return LoadYaml(yaml, path, allowInlinePolicy);
    }

    public static PolicyTestSuite LoadYaml(string yaml, string source, bool allowInlinePolicy)
    {
        var errors = new PolicyErrors(source);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            errors.AddAt(e.Start.Line, e.Start.Column, $"syntax error: {e.Message}");
            return new PolicyTestSuite(null, [], errors.ToList());
        }
        catch (InvalidOperationException)
        {
            errors.AddAt(1, 1, "syntax error: the file ends inside an unclosed '[' or '{'");
            return new PolicyTestSuite(null, [], errors.ToList());
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.AddAt(1, 1, "expected one mapping with a 'cases' list");
            return new PolicyTestSuite(null, [], errors.ToList());
        }

        var context = new ParseContext(errors);
        string? inline = null;
        YamlNode? casesNode = null;
        foreach (var (keyNode, value) in root.Children)
        {
            switch (context.KeyText(keyNode, string.Empty))
            {
                case null:
                    break;
                case "cases":
                    casesNode = value;
                    break;
                case "policy" when allowInlinePolicy:
                    inline = context.RequireText(value, string.Empty, "policy", "the policy as a block of text (policy: |)");
                    break;
                case var other:
                    errors.Add(keyNode, string.Empty, other, $"unknown key (allowed: {(allowInlinePolicy ? "policy, cases" : "cases")})");
                    break;
            }
        }

        var cases = new List<PolicyTestCase>();
        if (casesNode is not YamlSequenceNode { Children.Count: > 0 } list)
        {
            errors.Add(casesNode ?? root, string.Empty, "cases", "expected a non-empty list of cases");
            return new PolicyTestSuite(inline, cases, errors.ToList());
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var parsed = PolicyTestCaseParser.Parse(context, list.Children[i], i, names);
            if (parsed is not null)
            {
                cases.Add(parsed);
            }
        }

        return new PolicyTestSuite(inline, cases, errors.ToList());
    }
}
