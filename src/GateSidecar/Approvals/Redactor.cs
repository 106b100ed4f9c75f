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
    /// The approval as a person may see it: <paramref name="approval"/> itself when it holds none
    /// of the paths and no token; a shallow copy without the token when it holds a token but none
    /// of the paths (its messages shared with the original); otherwise a deep copy with the paths
    /// masked and no token. The original is never changed, and the caller must not change what
    /// this returns (it may be, or share parts with, the original).
    /// </summary>
    public static Approval Redact(Approval approval, IReadOnlyList<string> paths)
    {
        if (MaskPaths(approval, paths, apply: false))
        {
            var copy = approval.Clone();
            copy.Token = string.Empty;
            MaskPaths(copy, paths, apply: true);
            return copy;
        }

        return approval.Token.Length == 0 ? approval : WithoutToken(approval);
    }

    /// <summary>Masks patch values whose pointer is at or below a redacted <c>args.</c> path.</summary>
    public static void RedactPatch(IList<JsonPatchOp> patch, string argsPath) => MaskPatch(patch, argsPath, apply: true);

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

    /// <summary>
    /// Whether <paramref name="approval"/> holds a value at one of <paramref name="paths"/> (an
    /// argument, edited argument, patch value or context value that exists, or an impact item of a
    /// redacted path); with <paramref name="apply"/> every such value is masked in place. One walk
    /// for both, so the check never disagrees with the masking.
    /// </summary>
    private static bool MaskPaths(Approval approval, IReadOnlyList<string> paths, bool apply)
    {
        var found = false;
        foreach (var path in paths)
        {
            if (TrySplit(path, out var root, out var rest))
            {
                if (root == "args")
                {
                    found |= MaskValueAt(approval.Request?.Arguments, rest, apply);
                    found |= MaskValueAt(approval.FinalArguments, rest, apply);
                    foreach (var decision in approval.Decisions)
                    {
                        found |= MaskValueAt(decision.EditedArguments, rest, apply);
                    }

                    found |= MaskPatch(approval.Diff, rest, apply);
                }
                else
                {
                    found |= MaskValueAt(approval.Request?.Current, rest, apply);
                }
            }

            if (found && !apply)
            {
                return true;
            }
        }

        foreach (var item in approval.Impact)
        {
            if (IsRedacted(item.Label, paths))
            {
                if (!apply)
                {
                    return true;
                }

                found = true;
                item.Value = Mask;
            }
        }

        return found;
    }

    private static bool MaskValueAt(Struct? root, string dotted, bool apply) =>
        apply ? StructPaths.TrySet(root, dotted, MaskValue) : StructPaths.TryGet(root, dotted, out _);

    private static bool MaskPatch(IList<JsonPatchOp> patch, string argsPath, bool apply)
    {
        if (patch.Count == 0)
        {
            return false; // the usual case (no edit): no pointer to build
        }

        var pointer = "/" + string.Join('/', argsPath.Split('.').Select(JsonPatch.Escape));
        var found = false;
        foreach (var op in patch)
        {
            if (op.Value is not null && (op.Path == pointer || op.Path.StartsWith(pointer + "/", StringComparison.Ordinal)))
            {
                if (!apply)
                {
                    return true;
                }

                found = true;
                op.Value = MaskValue.Clone();
            }
        }

        return found;
    }

    /// <summary>A copy of <paramref name="approval"/> without its token, sharing every message and list element with it.</summary>
    private static Approval WithoutToken(Approval approval)
    {
        var copy = RecordCopies.Shallow(approval);
        copy.Token = string.Empty;
        return copy;
    }

    private static bool TrySplit(string path, out string root, out string rest)
    {
        var dot = path.IndexOf('.');
        root = dot < 0 ? path : path[..dot];
        rest = dot < 0 ? string.Empty : path[(dot + 1)..];
        return dot > 0 && rest.Length > 0 && (root == "args" || root == "current");
    }
}
