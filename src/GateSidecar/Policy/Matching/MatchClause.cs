using System.Text;
using Gate.V1;

namespace GateSidecar.Policy.Matching;

/// <summary>
/// A <c>match</c> mapping: every condition holds, and when <c>any:</c> is given at least one alternative holds.
/// </summary>
internal sealed class MatchClause(Condition[] conditions, MatchClause[] anyOf)
{
    public bool Test(CheckRequest request)
    {
        for (var i = 0; i < conditions.Length; i++)
        {
            if (!conditions[i].Test(request))
            {
                return false;
            }
        }

        if (anyOf.Length == 0)
        {
            return true;
        }

        for (var i = 0; i < anyOf.Length; i++)
        {
            if (anyOf[i].Test(request))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Appends the triggering conditions (and the first alternative that held); false if nothing was written.</summary>
    public bool Describe(StringBuilder output, CheckRequest request, RedactionSet redaction)
    {
        var start = output.Length;
        for (var i = 0; i < conditions.Length; i++)
        {
            if (output.Length > start)
            {
                output.Append(", ");
            }

            conditions[i].Describe(output, request, redaction);
        }

        for (var i = 0; i < anyOf.Length; i++)
        {
            if (anyOf[i].Test(request))
            {
                var before = output.Length;
                if (output.Length > start)
                {
                    output.Append(", ");
                }

                if (!anyOf[i].Describe(output, request, redaction))
                {
                    output.Length = before;
                }

                break;
            }
        }

        return output.Length > start;
    }
}
