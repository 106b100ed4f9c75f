using System.Text;

namespace GateSidecar.Policy.Matching;

/// <summary><c>exists</c>: the only predicate an absent value can satisfy (<c>exists: false</c>). A JSON null is present.</summary>
internal sealed class ExistsPredicate(bool expected) : Predicate
{
    public override bool Test(in FieldValue value) => (value.Kind != FieldKind.Absent) == expected;

    public override void Describe(StringBuilder output, string path, string shown, in FieldValue value) =>
        output.Append(path).Append(expected ? " exists" : " is absent");
}
