using GateSidecar.Policy.Loading;
using Xunit;

namespace GateSidecar.Tests.Policy;

public sealed class PolicyDurationTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("3s", 3_000)]
    [InlineData("90s", 90_000)]
    [InlineData("5m", 300_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1h30m15s500ms", 5_415_500)]
    [InlineData("30m1h", 5_400_000)]
    public void TryParse_UnitsAndCombinations_GiveMilliseconds(string text, long milliseconds)
    {
        Assert.True(PolicyDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("1d")]
    [InlineData("h")]
    [InlineData("1.5h")]
    [InlineData("-1s")]
    [InlineData(" 5m")]
    [InlineData("5 m")]
    [InlineData("5M")]
    [InlineData("1h30")]
    [InlineData("9999999999h")]
    public void TryParse_NotADuration_Fails(string text)
    {
        Assert.False(PolicyDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(250, "250ms")]
    [InlineData(3_000, "3s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(129_600_000, "36h")]
    public void Format_GivesTheShortestPolicySpelling(long milliseconds, string text)
    {
        Assert.Equal(text, PolicyDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
