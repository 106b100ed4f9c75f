using System.Globalization;
using GateSidecar.Policy.Matching;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Loading;

/// <summary>
/// Types YAML scalars with the YAML 1.2 core schema: a quoted scalar is a string; a plain one is null
/// (<c>~</c>, <c>null</c>, empty), a boolean (<c>true</c>/<c>false</c>), a number, or else a string.
/// </summary>
internal static class YamlScalars
{
    public static FieldValue Resolve(YamlScalarNode node)
    {
        var text = node.Value ?? string.Empty;
        var tag = node.Tag.IsEmpty || node.Tag.IsNonSpecific ? null : node.Tag.Value;
        if (tag == "tag:yaml.org,2002:str" || node.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return FieldValue.OfString(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return FieldValue.Null;
            case "true" or "True" or "TRUE":
                return FieldValue.OfBool(true);
            case "false" or "False" or "FALSE":
                return FieldValue.OfBool(false);
        }

        if (LooksNumeric(text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number))
        {
            return FieldValue.OfNumber(number);
        }

        return FieldValue.OfString(text);
    }

    /// <summary>How a node reads in an error message: <c>a mapping</c>, <c>a list</c>, <c>the string "x"</c>, <c>the number 5</c>.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.Count == 0 ? "an empty mapping" : "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => Describe(Resolve(scalar)),
        _ => "an alias",
    };

    public static string Describe(in FieldValue value) => value.Kind switch
    {
        FieldKind.Null => "null",
        FieldKind.Bool => value.Bool ? "true" : "false",
        FieldKind.Number => "the number " + value.Number.ToString(CultureInfo.InvariantCulture),
        _ => $"the string \"{value.Text}\"",
    };

    // Only digits, signs, dots and exponents: keeps "1h", "0x10" or "Infinity" strings.
    private static bool LooksNumeric(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not ('-' or '+' or '.' or 'e' or 'E'))
            {
                return false;
            }
        }

        return text.Length > 0 && text.AsSpan().IndexOfAnyInRange('0', '9') >= 0;
    }
}
