using Gate.V1;
using GateSidecar.Policy.Matching;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Policy;

/// <summary>
/// Reads a policy path from a call: <c>args.a.b</c>, <c>current.x</c>, <c>args.items.0</c> (list index),
/// <c>labels.k</c>, <c>agent.id</c>, <c>agent.tenant</c>, <c>agent.on_behalf_of</c>, <c>confidence</c>,
/// <c>tool</c>, and the whole <c>args</c> or <c>current</c>. Used for impact items and redaction.
/// </summary>
internal static class PolicyPaths
{
    /// <summary>False when the path is absent from the request or is not a valid path.</summary>
    public static bool TryResolve(CheckRequest request, string path, out Value? value)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parsed = FieldPath.TryParse(path);
        if (parsed is null)
        {
            value = null;
            return false;
        }

        return parsed.TryResolveValue(request, out value);
    }

    /// <summary>Whether <paramref name="path"/> is a path the policy language accepts.</summary>
    public static bool IsValid(string path) => FieldPath.TryParse(path) is not null;
}
