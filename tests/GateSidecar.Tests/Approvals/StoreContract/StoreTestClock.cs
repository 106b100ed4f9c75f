using Xunit;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>A clock the test moves by hand; starts at the real current time, whole milliseconds.</summary>
internal sealed class StoreTestClock : TimeProvider
{
    private long _nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public DateTimeOffset Now => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Read(ref _nowMs));

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _nowMs, (long)by.TotalMilliseconds);
}
