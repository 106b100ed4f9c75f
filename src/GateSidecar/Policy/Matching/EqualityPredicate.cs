using System.Text;

namespace GateSidecar.Policy.Matching;

/// <summary>
/// <c>eq</c> and <c>ne</c>. Both need a value of the operand's type; <c>ne: null</c> means "present and not null".
/// </summary>
internal sealed class EqualityPredicate(FieldValue operand, bool negate) : Predicate
{
    public override bool Test(in FieldValue value)
    {
        if (operand.Kind == FieldKind.Null)
        {
            return negate ? value.Kind is not (FieldKind.Absent or FieldKind.Null) : value.Kind == FieldKind.Null;
        }

        if (value.Kind != operand.Kind)
        {
            return false;
        }

        return value.SameAs(operand) != negate;
    }

    public override void Describe(StringBuilder output, string path, string shown, in FieldValue value)
    {
        // For eq the value is the operand: print it once (and hide it when the path is redacted).
        if (!negate)
        {
            output.Append(path).Append(" = ").Append(shown);
            return;
        }

        output.Append(path).Append(' ').Append(shown).Append(" != ").Append(operand.Format());
    }
}
