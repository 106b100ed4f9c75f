using System.Globalization;
using System.Text;

namespace GateSidecar.Policy.Matching;

internal enum ComparisonOperator : byte
{
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
}

/// <summary><c>gt</c>, <c>gte</c>, <c>lt</c>, <c>lte</c>: numbers only; a string that spells a number is still a string.</summary>
internal sealed class ComparisonPredicate(ComparisonOperator op, double operand) : Predicate
{
    public override bool Test(in FieldValue value) => value.Kind == FieldKind.Number && op switch
    {
        ComparisonOperator.GreaterThan => value.Number > operand,
        ComparisonOperator.GreaterOrEqual => value.Number >= operand,
        ComparisonOperator.LessThan => value.Number < operand,
        _ => value.Number <= operand,
    };

    public override void Describe(StringBuilder output, string path, string shown, in FieldValue value) =>
        output.Append(path).Append(' ').Append(shown).Append(' ').Append(Symbol(op)).Append(' ')
            .Append(operand.ToString(CultureInfo.InvariantCulture));

    internal static string Symbol(ComparisonOperator op) => op switch
    {
        ComparisonOperator.GreaterThan => ">",
        ComparisonOperator.GreaterOrEqual => ">=",
        ComparisonOperator.LessThan => "<",
        _ => "<=",
    };
}
