using GateSidecar.Policy.Matching;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Loading;

/// <summary>What every part of one load shares: the error list, the pools read so far, the redaction set.</summary>
internal sealed class ParseContext(PolicyErrors errors)
{
    public const string NameRule = "use letters, digits, '.', '_' or '-'";

    public PolicyErrors Errors { get; } = errors;

    /// <summary>Pools in file order.</summary>
    public List<KeyValuePair<string, string[]>> Pools { get; } = [];

    public RedactionSet Redaction { get; set; } = new([]);

    public bool PoolExists(string pool) => MembersOf(pool) is not null;

    public string[]? MembersOf(string pool)
    {
        foreach (var (name, members) in Pools)
        {
            if (name == pool)
            {
                return members;
            }
        }

        return null;
    }

    /// <summary>Ids of rules and pools: a letter or digit, then letters, digits, '.', '_' or '-' (at most 128).</summary>
    public static bool IsName(string text)
    {
        if (text.Length is 0 or > 128 || !char.IsAsciiLetterOrDigit(text[0]))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The text of a scalar key, or null (with an error) for a key that is a mapping or a list.</summary>
    public string? KeyText(YamlNode key, string where)
    {
        if (key is YamlScalarNode scalar && scalar.Value is not null)
        {
            return scalar.Value;
        }

        Errors.Add(key, where, null, $"a key must be a plain name, found {YamlScalars.Describe(key)}");
        return null;
    }

    /// <summary>A scalar that is a non-empty string (numbers are taken as written); null and an error otherwise.</summary>
    public string? RequireText(YamlNode node, string where, string key, string expected)
    {
        if (node is YamlScalarNode scalar)
        {
            var value = YamlScalars.Resolve(scalar);
            if (value.Kind is FieldKind.String or FieldKind.Number && !string.IsNullOrEmpty(scalar.Value))
            {
                return scalar.Value;
            }
        }

        Errors.Add(node, where, key, $"expected {expected}, found {YamlScalars.Describe(node)}");
        return null;
    }
}
