using System.Text;

namespace GateSidecar.Policy.Matching;

/// <summary>
/// <c>count_gt</c> and <c>count_lt</c>: items of a list, keys of an object. Strings and numbers are the wrong type.
/// </summary>
internal sealed class CountPredicate(bool greater, int operand) : Predicate
{
    public override bool Test(in FieldValue value) =>
        value.Kind is FieldKind.List or FieldKind.Object && (greater ? value.Count > operand : value.Count < operand);

    public override void Describe(StringBuilder output, string path, string shown, in FieldValue value) =>
        output.Append(path).Append(" count ").Append(value.Count).Append(greater ? " > " : " < ").Append(operand);
}
