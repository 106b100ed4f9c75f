using System.Text;
using System.Text.RegularExpressions;

namespace GateSidecar.Policy.Matching;

/// <summary>
/// <c>matches</c>: an unanchored search over strings only, compiled with the non-backtracking engine so a
/// hostile argument cannot make evaluation slow.
/// </summary>
internal sealed class RegexPredicate(Regex regex) : Predicate
{
    public override bool Test(in FieldValue value) => value.Kind == FieldKind.String && regex.IsMatch(value.Text!);

    public override void Describe(StringBuilder output, string path, string shown, in FieldValue value) =>
        output.Append(path).Append(' ').Append(shown).Append(" matches /").Append(regex.ToString()).Append('/');
}
