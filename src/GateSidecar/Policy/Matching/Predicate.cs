using System.Text;

namespace GateSidecar.Policy.Matching;

/// <summary>
/// One compiled check on one value. <see cref="Test"/> is on the hot path and must not allocate;
/// <see cref="Describe"/> runs only when someone reads the reason.
/// </summary>
internal abstract class Predicate
{
    /// <summary>False for an absent value or a value of the wrong type (only <c>exists: false</c> differs).</summary>
    public abstract bool Test(in FieldValue value);

    /// <summary>Appends e.g. <c>args.amount 900 &gt; 500</c>; <paramref name="shown"/> is the value or <c>***</c>.</summary>
    public abstract void Describe(StringBuilder output, string path, string shown, in FieldValue value);
}
