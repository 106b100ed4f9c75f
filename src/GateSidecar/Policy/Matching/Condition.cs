using System.Text;
using Gate.V1;

namespace GateSidecar.Policy.Matching;

/// <summary>One key of a <c>match</c>: a path and every predicate written for it (all must hold).</summary>
internal sealed class Condition(FieldPath path, Predicate[] predicates)
{
    public FieldPath Path { get; } = path;

    public bool Test(CheckRequest request)
    {
        var value = Path.Resolve(request);
        for (var i = 0; i < predicates.Length; i++)
        {
            if (!predicates[i].Test(value))
            {
                return false;
            }
        }

        return true;
    }

    public void Describe(StringBuilder output, CheckRequest request, RedactionSet redaction)
    {
        var value = Path.Resolve(request);
        var shown = redaction.Covers(Path.Text) ? RedactionSet.Mask : value.Format();
        for (var i = 0; i < predicates.Length; i++)
        {
            if (i > 0)
            {
                output.Append(", ");
            }

            predicates[i].Describe(output, Path.Text, shown, value);
        }
    }
}
