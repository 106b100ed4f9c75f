using Gate.V1;
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
            if (!TryResolve(request, path, out var display))
            {
                continue;
            }

            items.Add(new ImpactItem { Label = path, Value = Redactor.IsRedacted(path, redact) ? Redactor.Mask : display });
        }

        return items;
    }

    private static bool TryResolve(CheckRequest request, string path, out string display)
    {
        display = string.Empty;
        Value? value = null;
        var found = path switch
        {
            _ when path.StartsWith("args.", StringComparison.Ordinal) => StructPaths.TryGet(request.Arguments, path.AsSpan(5), out value),
            _ when path.StartsWith("current.", StringComparison.Ordinal) => StructPaths.TryGet(request.Current, path.AsSpan(8), out value),
            _ when path.StartsWith("labels.", StringComparison.Ordinal) => TryLabel(request, path[7..], out display),
            "tool" => Set(request.Tool, out display),
            "agent.id" => Set(request.Agent?.AgentId, out display),
            "agent.tenant" => Set(request.Agent?.Tenant, out display),
            "agent.on_behalf_of" => Set(request.Agent?.OnBehalfOf, out display),
            _ => false,
        };
        if (found && value is not null)
        {
            display = value.KindCase == Value.KindOneofCase.ListValue
                ? $"{value.ListValue.Values.Count} items"
                : StructPaths.Display(value);
        }

        return found;
    }

    private static bool TryLabel(CheckRequest request, string key, out string display)
    {
        var ok = request.Labels.TryGetValue(key, out var v);
        display = v ?? string.Empty;
        return ok;
    }

    private static bool Set(string? value, out string display)
    {
        display = value ?? string.Empty;
        return !string.IsNullOrEmpty(value);
    }
}
