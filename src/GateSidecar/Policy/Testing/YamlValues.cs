using GateSidecar.Policy.Loading;
using GateSidecar.Policy.Matching;
using Google.Protobuf.WellKnownTypes;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Testing;

/// <summary>YAML nodes as protobuf JSON values, with the same scalar typing as the policy.</summary>
internal static class YamlValues
{
    public static Value ToValue(YamlNode node) => node switch
    {
        YamlMappingNode map => Value.ForStruct(ToStruct(map)),
        YamlSequenceNode list => Value.ForList([.. list.Children.Select(ToValue)]),
        YamlScalarNode scalar => YamlScalars.Resolve(scalar) switch
        {
            { Kind: FieldKind.Null } => Value.ForNull(),
            { Kind: FieldKind.Bool } flag => Value.ForBool(flag.Bool),
            { Kind: FieldKind.Number } number => Value.ForNumber(number.Number),
            var text => Value.ForString(text.Text!),
        },
        _ => Value.ForNull(),
    };

    public static Struct ToStruct(YamlMappingNode map)
    {
        var result = new Struct();
        foreach (var (key, value) in map.Children)
        {
            result.Fields[((YamlScalarNode)key).Value!] = ToValue(value);
        }

        return result;
    }
}
