namespace GateSidecar.Approvers.Notifications;

/// <summary>
/// Exponential backoff with jitter: after the n-th failed attempt wait between half and all of
/// <c>initial · 2^(n-1)</c>, capped at the maximum. Half is fixed so a retry never comes at once; half is
/// random so receivers that failed together are not hit together again.
/// </summary>
internal static class Backoff
{
    /// <param name="failedAttempts">Attempts that failed so far (1 after the first).</param>
    /// <param name="settings">Initial and maximum delays.</param>
    /// <param name="random">A number in [0, 1).</param>
    public static TimeSpan Delay(int failedAttempts, DeliverySettings settings, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        var exponential = settings.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failedAttempts - 1, 30));
        var capped = Math.Min(exponential, settings.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((capped / 2) + (capped / 2 * Math.Clamp(random, 0, 1)));
    }
}
