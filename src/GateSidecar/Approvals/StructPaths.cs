using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Approvals;

/// <summary>Dotted-path access into a <see cref="Struct"/> (objects only; list items are not addressed).</summary>
internal static class StructPaths
{
    public static bool TryGet(Struct? root, ReadOnlySpan<char> dotted, out Value? value)
    {
        value = null;
        if (root is null)
        {
            return false;
        }

        var current = root;
        while (true)
        {
            var dot = dotted.IndexOf('.');
            var key = (dot < 0 ? dotted : dotted[..dot]).ToString();
            if (!current.Fields.TryGetValue(key, out var found))
            {
                return false;
            }

            if (dot < 0)
            {
                value = found;
                return true;
            }

            if (found.KindCase != Value.KindOneofCase.StructValue)
            {
                return false;
            }

            current = found.StructValue;
            dotted = dotted[(dot + 1)..];
        }
    }

    /// <summary>Replaces the value at <paramref name="dotted"/> when it exists; returns whether it did.</summary>
    public static bool TrySet(Struct? root, ReadOnlySpan<char> dotted, Value replacement)
    {
        var lastDot = dotted.LastIndexOf('.');
        Struct? parent = root;
        if (lastDot >= 0)
        {
            if (!TryGet(root, dotted[..lastDot], out var parentValue) || parentValue!.KindCase != Value.KindOneofCase.StructValue)
            {
                return false;
            }

            parent = parentValue.StructValue;
        }

        var key = (lastDot < 0 ? dotted : dotted[(lastDot + 1)..]).ToString();
        if (parent is null || !parent.Fields.ContainsKey(key))
        {
            return false;
        }

        parent.Fields[key] = replacement;
        return true;
    }

    /// <summary>A short human form of a value for cards and impact items.</summary>
    public static string Display(Value? value) => value?.KindCase switch
    {
        Value.KindOneofCase.StringValue => value.StringValue,
        Value.KindOneofCase.NumberValue => value.NumberValue.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        Value.KindOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        Value.KindOneofCase.NullValue => "null",
        Value.KindOneofCase.ListValue => $"[{value.ListValue.Values.Count} items]",
        Value.KindOneofCase.StructValue => Google.Protobuf.JsonFormatter.Default.Format(value.StructValue),
        _ => string.Empty,
    };
}
