using System.Globalization;
using GateSidecar.Policy.Loading;

namespace GateSidecar.Hosting;

/// <summary>
/// Retention periods: the policy's duration units (<c>h</c>, <c>m</c>, <c>s</c>, <c>ms</c>) plus days,
/// combinable (<c>90d</c>, <c>1d12h</c>); always positive.
/// </summary>
internal static class RetentionDuration
{
    private const int MaxDays = 100 * 366;

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        var days = 0L;
        var d = text.IndexOf('d', StringComparison.Ordinal);
        if (d >= 0)
        {
            if (d == 0 || !long.TryParse(text.AsSpan(0, d), NumberStyles.None, CultureInfo.InvariantCulture, out days) || days > MaxDays)
            {
                return false;
            }

            text = text[(d + 1)..];
        }

        var rest = TimeSpan.Zero;
        if (text.Length > 0 && !PolicyDuration.TryParse(text, out rest))
        {
            return false;
        }

        duration = TimeSpan.FromDays(days) + rest;
        return duration > TimeSpan.Zero;
    }
}
