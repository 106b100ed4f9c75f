namespace GateSidecar.Policy.Matching;

/// <summary>The JSON type of a value read from a call. <see cref="Absent"/> is the default on purpose.</summary>
internal enum FieldKind : byte
{
    Absent,
    Null,
    Bool,
    Number,
    String,
    List,
    Object,
}
