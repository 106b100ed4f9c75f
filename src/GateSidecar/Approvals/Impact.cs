using Gate.V1;
using GateSidecar.Policy;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Approvals;

/// <summary>The blast radius shown on a card: the values of the rule's <c>impact</c> paths.</summary>
internal static class Impact
{
    public static List<ImpactItem> Collect(CheckRequest request, IReadOnlyList<string> paths, IReadOnlyList<string> redact)
    {
        var items = new List<ImpactItem>(paths.Count);
        foreach (var path in paths)
        {
            // The policy's own path language resolves impact paths, exactly as it resolves matches.
            if (!PolicyPaths.TryResolve(request, path, out var value) || value is null)
            {
                continue;
            }

            var display = value.KindCase == Value.KindOneofCase.ListValue
                ? $"{value.ListValue.Values.Count} items"
                : StructPaths.Display(value);
            items.Add(new ImpactItem { Label = path, Value = Redactor.IsRedacted(path, redact) ? Redactor.Mask : display });
        }

        return items;
    }
}
