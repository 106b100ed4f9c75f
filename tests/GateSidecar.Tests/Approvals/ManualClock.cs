namespace GateSidecar.Tests.Approvals;

/// <summary>A clock that moves only when a test says so.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public ManualClock()
        : this(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
