using Gate.V1;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Approvals;

/// <summary>
/// Masks the policy's <c>redact</c> paths as <c>"***"</c> in everything a person or a log can see,
/// and leaves the execution token out of it: the token authorises the call and belongs to the
/// agent alone. The agent's own view (the Gate service) is never redacted: it must execute the
/// arguments.
/// </summary>
internal static class Redactor
{
    public const string Mask = "***";

    private static readonly Value MaskValue = Value.ForString(Mask);

    /// <summary>
    /// A redacted copy of <paramref name="approval"/> without its token; the original is untouched
    /// (and returned as it is when there is nothing to mask and no token).
    /// </summary>
    public static Approval Redact(Approval approval, IReadOnlyList<string> paths)
    {
        if (paths.Count == 0 && approval.Token.Length == 0)
        {
            return approval;
        }

        var copy = approval.Clone();
        copy.Token = string.Empty;
        foreach (var path in paths)
        {
            if (TrySplit(path, out var root, out var rest))
            {
                if (root == "args")
                {
                    StructPaths.TrySet(copy.Request?.Arguments, rest, MaskValue);
                    StructPaths.TrySet(copy.FinalArguments, rest, MaskValue);
                    foreach (var decision in copy.Decisions)
                    {
                        StructPaths.TrySet(decision.EditedArguments, rest, MaskValue);
                    }

                    RedactPatch(copy.Diff, rest);
                }
                else
                {
                    StructPaths.TrySet(copy.Request?.Current, rest, MaskValue);
                }
            }
        }

        foreach (var item in copy.Impact)
        {
            if (IsRedacted(item.Label, paths))
            {
                item.Value = Mask;
            }
        }

        return copy;
    }

    /// <summary>Masks patch values whose pointer is at or below a redacted <c>args.</c> path.</summary>
    public static void RedactPatch(IList<JsonPatchOp> patch, string argsPath)
    {
        var pointer = "/" + string.Join('/', argsPath.Split('.').Select(JsonPatch.Escape));
        foreach (var op in patch)
        {
            if (op.Value is not null && (op.Path == pointer || op.Path.StartsWith(pointer + "/", StringComparison.Ordinal)))
            {
                op.Value = MaskValue.Clone();
            }
        }
    }

    /// <summary>
    /// In <c>edited_arguments</c>, <c>"***"</c> at a redacted path means "keep the original value".
    /// Returns a copy of <paramref name="edited"/> with those restored from <paramref name="original"/>.
    /// </summary>
    public static Struct RestoreMasked(Struct edited, Struct? original, IReadOnlyList<string> paths)
    {
        var copy = edited.Clone();
        foreach (var path in paths)
        {
            if (TrySplit(path, out var root, out var rest) && root == "args"
                && StructPaths.TryGet(copy, rest, out var value)
                && value!.KindCase == Value.KindOneofCase.StringValue && value.StringValue == Mask
                && StructPaths.TryGet(original, rest, out var originalValue))
            {
                StructPaths.TrySet(copy, rest, originalValue!.Clone());
            }
        }

        return copy;
    }

    public static bool IsRedacted(string path, IReadOnlyList<string> paths)
    {
        foreach (var p in paths)
        {
            if (path == p || path.StartsWith(p + ".", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TrySplit(string path, out string root, out string rest)
    {
        var dot = path.IndexOf('.');
        root = dot < 0 ? path : path[..dot];
        rest = dot < 0 ? string.Empty : path[(dot + 1)..];
        return dot > 0 && rest.Length > 0 && (root == "args" || root == "current");
    }
}
