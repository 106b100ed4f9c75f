using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Policy.Matching;

/// <summary>
/// A value read from a call, or a scalar operand from the policy. A struct over the request's own objects,
/// so reading a path allocates nothing.
/// </summary>
internal readonly struct FieldValue
{
    private const int MaxShownLength = 80;

    private FieldValue(FieldKind kind, double number = 0, bool flag = false, string? text = null, object? composite = null)
    {
        Kind = kind;
        Number = number;
        Bool = flag;
        Text = text;
        Composite = composite;
    }

    public static FieldValue Absent => default;

    public static FieldValue Null => new(FieldKind.Null);

    public FieldKind Kind { get; }

    public double Number { get; }

    public bool Bool { get; }

    public string? Text { get; }

    /// <summary>The <see cref="ListValue"/> or <see cref="Struct"/> behind a list or object.</summary>
    public object? Composite { get; }

    public bool IsScalar => Kind is FieldKind.Null or FieldKind.Bool or FieldKind.Number or FieldKind.String;

    /// <summary>Items of a list, keys of an object; 0 for anything else.</summary>
    public int Count => Composite switch
    {
        ListValue list => list.Values.Count,
        Struct obj => obj.Fields.Count,
        _ => 0,
    };

    public static FieldValue OfNumber(double number) => new(FieldKind.Number, number: number);

    public static FieldValue OfBool(bool flag) => new(FieldKind.Bool, flag: flag);

    public static FieldValue OfString(string text) => new(FieldKind.String, text: text);

    public static FieldValue OfStruct(Struct obj) => new(FieldKind.Object, composite: obj);

    public static FieldValue Of(Value? value) => value is null ? Absent : value.KindCase switch
    {
        Value.KindOneofCase.NumberValue => OfNumber(value.NumberValue),
        Value.KindOneofCase.StringValue => OfString(value.StringValue),
        Value.KindOneofCase.BoolValue => OfBool(value.BoolValue),
        Value.KindOneofCase.StructValue => new(FieldKind.Object, composite: value.StructValue),
        Value.KindOneofCase.ListValue => new(FieldKind.List, composite: value.ListValue),
        _ => Null,
    };

    /// <summary>Same JSON type and same value. A string never equals a number, whatever it spells.</summary>
    public bool SameAs(in FieldValue other)
    {
        if (Kind != other.Kind)
        {
            return false;
        }

        return Kind switch
        {
            FieldKind.Null => true,
            FieldKind.Bool => Bool == other.Bool,
            FieldKind.Number => Number == other.Number,
            FieldKind.String => string.Equals(Text, other.Text, StringComparison.Ordinal),
            _ => false,
        };
    }

    /// <summary>How the value reads in a reason: <c>900</c>, <c>prod</c>, <c>""</c>, <c>true</c>, <c>[3 items]</c>.</summary>
    public string Format() => Kind switch
    {
        FieldKind.Absent => "(absent)",
        FieldKind.Null => "null",
        FieldKind.Bool => Bool ? "true" : "false",
        FieldKind.Number => Number.ToString(CultureInfo.InvariantCulture),
        FieldKind.String => Text!.Length == 0 ? "\"\"" : Text.Length <= MaxShownLength ? Text : string.Concat(Text.AsSpan(0, MaxShownLength), "..."),
        FieldKind.List => Count == 1 ? "[1 item]" : $"[{Count} items]",
        _ => Count == 1 ? "{1 key}" : $"{{{Count} keys}}",
    };
}
