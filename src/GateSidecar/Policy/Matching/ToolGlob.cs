namespace GateSidecar.Policy.Matching;

/// <summary>
/// A tool name pattern where <c>*</c> stands for any run of characters, dots included
/// (<c>deploy.*</c>, <c>*.get</c>, <c>*</c>). No other character is special.
/// </summary>
internal sealed class ToolGlob(string pattern)
{
    public string Pattern { get; } = pattern;

    public static bool IsGlob(string text) => text.Contains('*', StringComparison.Ordinal);

    public bool IsMatch(ReadOnlySpan<char> text)
    {
        var pattern = Pattern.AsSpan();
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                // Let the last star swallow one more character and retry.
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
