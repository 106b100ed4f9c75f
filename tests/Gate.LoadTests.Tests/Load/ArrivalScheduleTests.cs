using Gate.LoadTests.Load;

namespace Gate.LoadTests.Tests.Load;

public sealed class ArrivalScheduleTests
{
    [Fact]
    public void ConstantRate_WithoutRamp_SpacesCallsEvenly()
    {
        var schedule = new ArrivalSchedule(1000, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(2));

        Assert.Equal(2000, schedule.TotalCalls);
        Assert.Equal(0, schedule.OffsetNs(0));
        Assert.Equal(1_000_000, schedule.OffsetNs(1));
        Assert.Equal(1_999_000_000, schedule.OffsetNs(1999));
    }

    [Fact]
    public void Ramp_SendsHalfTheCallsOfFullRate_AndNeverFasterThanTheTarget()
    {
        var schedule = new ArrivalSchedule(1000, TimeSpan.FromSeconds(4), TimeSpan.Zero, TimeSpan.FromSeconds(1));

        // 4 s of linear ramp: 1000 * 4 / 2 calls, then 1000 in the measured second.
        Assert.Equal(3000, schedule.TotalCalls);
        Assert.InRange(schedule.OffsetNs(2000), 3_999_000_000, 4_001_000_000);
        for (long i = 1; i < schedule.TotalCalls; i++)
        {
            var gap = schedule.OffsetNs(i) - schedule.OffsetNs(i - 1);
            Assert.True(gap >= 999_000, $"calls {i - 1} and {i} are {gap} ns apart, faster than 1000/s");
        }
    }

    [Fact]
    public void Offsets_AreNonDecreasing_AndTheMeasuredWindowFollowsRampAndWarmup()
    {
        var schedule = new ArrivalSchedule(333, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3));

        for (long i = 1; i < schedule.TotalCalls; i++)
        {
            Assert.True(schedule.OffsetNs(i) >= schedule.OffsetNs(i - 1));
        }

        Assert.Equal(3_000_000_000, schedule.MeasureFromNs);
        Assert.Equal(6_000_000_000, schedule.EndNs);
        Assert.True(schedule.OffsetNs(schedule.TotalCalls - 1) < schedule.EndNs);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Rate_NotPositive_IsRefusedWithAMessage(double rate)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ArrivalSchedule(rate, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(1)));

        Assert.Contains("positive number of calls per second", error.Message);
    }
}
