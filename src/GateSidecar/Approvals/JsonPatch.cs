using Gate.V1;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Approvals;

/// <summary>RFC 6902 diffs between two argument objects, so approvers see exactly what changes.</summary>
internal static class JsonPatch
{
    /// <summary>
    /// Operations that turn <paramref name="from"/> into <paramref name="to"/>: objects are compared
    /// key by key (sorted, for a stable order), anything else that differs is replaced whole.
    /// </summary>
    public static List<JsonPatchOp> Diff(Struct? from, Struct? to)
    {
        var ops = new List<JsonPatchOp>();
        DiffObjects(from ?? new Struct(), to ?? new Struct(), string.Empty, ops);
        return ops;
    }

    private static void DiffObjects(Struct from, Struct to, string prefix, List<JsonPatchOp> ops)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        keys.UnionWith(from.Fields.Keys);
        keys.UnionWith(to.Fields.Keys);
        foreach (var key in keys)
        {
            var path = prefix + "/" + Escape(key);
            var inFrom = from.Fields.TryGetValue(key, out var a);
            var inTo = to.Fields.TryGetValue(key, out var b);
            if (!inTo)
            {
                ops.Add(new JsonPatchOp { Op = "remove", Path = path });
            }
            else if (!inFrom)
            {
                ops.Add(new JsonPatchOp { Op = "add", Path = path, Value = b!.Clone() });
            }
            else if (a!.KindCase == Value.KindOneofCase.StructValue && b!.KindCase == Value.KindOneofCase.StructValue)
            {
                DiffObjects(a.StructValue, b.StructValue, path, ops);
            }
            else if (!a.Equals(b))
            {
                ops.Add(new JsonPatchOp { Op = "replace", Path = path, Value = b!.Clone() });
            }
        }
    }

    /// <summary>RFC 6901 escaping of one reference token.</summary>
    public static string Escape(string token) =>
        token.Contains('~') || token.Contains('/') ? token.Replace("~", "~0").Replace("/", "~1") : token;
}
