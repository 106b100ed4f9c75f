using System.Text;

namespace GateSidecar.Policy.Matching;

/// <summary>
/// <c>in</c> and <c>not_in</c>. <c>not_in</c> holds only for a scalar of a type the list contains:
/// a number is never "not in" a list of strings, it is the wrong type.
/// </summary>
internal sealed class MembershipPredicate(FieldValue[] items, bool negate) : Predicate
{
    public override bool Test(in FieldValue value)
    {
        if (!value.IsScalar)
        {
            return false;
        }

        var typeSeen = false;
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i].Kind == value.Kind)
            {
                typeSeen = true;
                if (items[i].SameAs(value))
                {
                    return !negate;
                }
            }
        }

        return negate && typeSeen;
    }

    public override void Describe(StringBuilder output, string path, string shown, in FieldValue value)
    {
        output.Append(path).Append(' ').Append(shown).Append(negate ? " not in [" : " in [");
        for (var i = 0; i < items.Length; i++)
        {
            output.Append(i == 0 ? string.Empty : ", ").Append(items[i].Format());
        }

        output.Append(']');
    }
}
