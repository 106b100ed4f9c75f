using GateSidecar.Approvals;

namespace GateSidecar.Tests.Approvals;

public sealed class ApprovalIdsTests
{
    [Fact]
    public void New_IsTimePrefixThen128RandomBits_AsLowercaseHex()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero));

        var id = ApprovalIds.New(clock);

        Assert.Equal(ApprovalIds.Length, id.Length);
        Assert.Matches("^[0-9a-f]{44}$", id);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), Convert.ToInt64(id[..12], 16));
    }

    [Fact]
    public void New_SameMillisecond_DiffersInTheRandomPart()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero));

        var ids = Enumerable.Range(0, 1000).Select(_ => ApprovalIds.New(clock)).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(1000, ids.Count);
    }

    [Fact]
    public void New_LaterTime_SortsAfter()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero));
        var first = ApprovalIds.New(clock);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        var second = ApprovalIds.New(clock);

        Assert.True(string.CompareOrdinal(first, second) < 0, $"{first} should sort before {second}");
    }
}
