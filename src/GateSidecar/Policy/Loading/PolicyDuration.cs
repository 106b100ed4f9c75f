using System.Globalization;
using System.Text;

namespace GateSidecar.Policy.Loading;

/// <summary>Durations as the policy writes them: numbers with a unit (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>), combinable (<c>1h30m</c>).</summary>
internal static class PolicyDuration
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text.Length == 0)
        {
            return false;
        }

        long totalMs = 0;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || i - start > 9)
            {
                return false;
            }

            var amount = long.Parse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture);
            long unitMs;
            if (string.CompareOrdinal(text, i, "ms", 0, 2) == 0)
            {
                unitMs = 1;
                i += 2;
            }
            else if (i < text.Length && text[i] is 'h' or 'm' or 's')
            {
                unitMs = text[i] switch { 'h' => 3_600_000, 'm' => 60_000, _ => 1_000 };
                i++;
            }
            else
            {
                return false;
            }

            totalMs += amount * unitMs;
        }

        duration = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>The shortest policy spelling: <c>1h30m</c>, <c>3s</c>, <c>250ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return "0s";
        }

        var output = new StringBuilder();
        var hours = (long)duration.TotalHours;
        Append(output, hours, "h");
        Append(output, duration.Minutes, "m");
        Append(output, duration.Seconds, "s");
        Append(output, duration.Milliseconds, "ms");
        return output.ToString();
    }

    private static void Append(StringBuilder output, long amount, string unit)
    {
        if (amount > 0)
        {
            output.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }
}
