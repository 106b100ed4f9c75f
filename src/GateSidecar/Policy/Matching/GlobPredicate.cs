using System.Text;

namespace GateSidecar.Policy.Matching;

/// <summary>A tool glob used inside <c>any:</c> (a top-level tool is served by the rule index instead).</summary>
internal sealed class GlobPredicate(ToolGlob glob) : Predicate
{
    public override bool Test(in FieldValue value) => value.Kind == FieldKind.String && glob.IsMatch(value.Text!);

    public override void Describe(StringBuilder output, string path, string shown, in FieldValue value) =>
        output.Append(path).Append(' ').Append(shown).Append(" matches ").Append(glob.Pattern);
}
