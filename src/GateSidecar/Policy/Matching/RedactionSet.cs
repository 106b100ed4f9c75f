namespace GateSidecar.Policy.Matching;

/// <summary>The policy's <c>redact</c> paths, asked whether a path shows a secret.</summary>
internal sealed class RedactionSet(string[] paths)
{
    public const string Mask = "***";

    public IReadOnlyList<string> Paths { get; } = paths;

    /// <summary>
    /// True when <paramref name="path"/> is a redacted path, lies under one (<c>args.card.number</c> under
    /// <c>args.card</c>), or contains one (<c>args</c> contains <c>args.password</c>).
    /// </summary>
    public bool Covers(string path)
    {
        foreach (var redacted in paths)
        {
            if (IsSameOrUnder(path, redacted) || IsSameOrUnder(redacted, path))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSameOrUnder(string path, string ancestor) =>
        path.StartsWith(ancestor, StringComparison.Ordinal)
        && (path.Length == ancestor.Length || path[ancestor.Length] == '.');
}
