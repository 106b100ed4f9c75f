using Gate.LoadTests.Cli;

namespace Gate.LoadTests.Tests.Cli;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData("1.5s", 1.5)]
    [InlineData("45", 45)]
    public void TryParse_UnitsAndBareSeconds(string text, double seconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("-1s")]
    [InlineData("10x")]
    public void TryParse_NotADuration_Fails(string text) => Assert.False(DurationParser.TryParse(text, out _));

    [Fact]
    public void Format_RoundTrips()
    {
        Assert.Equal("200ms", DurationParser.Format(TimeSpan.FromMilliseconds(200)));
        Assert.Equal("30s", DurationParser.Format(TimeSpan.FromSeconds(30)));
    }
}
