using Gate.LoadTests.Measurement;

namespace Gate.LoadTests.Tests.Measurement;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void BucketIndex_IsContiguousAndMonotonic_AcrossMagnitudes()
    {
        var previous = -1;
        for (long value = 0; value < 1 << 20; value++)
        {
            var index = LatencyHistogram.BucketIndex(value);
            Assert.True(index == previous || index == previous + 1, $"value {value}: bucket {index} after {previous}");
            Assert.InRange(value, LatencyHistogram.LowestEquivalent(index), LatencyHistogram.HighestEquivalent(index));
            previous = index;
        }
    }

    [Theory]
    [InlineData(1_000L)]
    [InlineData(123_456L)]
    [InlineData(987_654_321L)]
    [InlineData(LatencyHistogram.MaxTrackable)]
    public void Bucket_RelativeWidth_IsUnderOnePercent(long value)
    {
        var index = LatencyHistogram.BucketIndex(value);
        var width = LatencyHistogram.HighestEquivalent(index) - LatencyHistogram.LowestEquivalent(index) + 1;

        Assert.True(width / (double)value < 0.01, $"bucket of {value} is {width} wide");
    }

    [Fact]
    public void ValueAtQuantile_UniformMicroseconds_MatchesExactPercentilesWithinBucketPrecision()
    {
        var histogram = new LatencyHistogram();
        var values = new List<long>();
        var random = new Random(7);
        for (var i = 0; i < 100_000; i++)
        {
            var v = (long)random.Next(50_000, 5_000_000);
            values.Add(v);
            histogram.Record(v);
        }

        values.Sort();
        foreach (var q in new[] { 0.5, 0.9, 0.99, 0.999 })
        {
            var exact = values[(int)Math.Ceiling(q * values.Count) - 1];
            var reported = histogram.ValueAtQuantile(q);
            Assert.InRange(reported, exact, exact + (exact / 100));
        }

        Assert.Equal(values[^1], histogram.Max);
        Assert.Equal(values[0], histogram.Min);
        Assert.Equal(values.Average(), histogram.Mean, 3);
    }

    [Fact]
    public void ValueAtQuantile_NeverExceedsTheExactMaximum()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1_000_001);

        Assert.Equal(1_000_001, histogram.ValueAtQuantile(1.0));
        Assert.Equal(1_000_001, histogram.ValueAtQuantile(0.5));
    }

    [Fact]
    public void Record_NegativeValue_CountsAsZero()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);

        Assert.Equal(1, histogram.Count);
        Assert.Equal(0, histogram.Max);
        Assert.Equal(0, histogram.ValueAtQuantile(0.99));
    }

    [Fact]
    public void Empty_ReportsZeroEverywhere()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0, histogram.ValueAtQuantile(0.99));
        Assert.Equal(LatencySummary.Empty, LatencySummary.Of(histogram));
    }

    [Fact]
    public async Task Record_FromManyThreads_LosesNothing()
    {
        var histogram = new LatencyHistogram();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                histogram.Record(1000 + (i % 977));
            }
        }, TestContext.Current.CancellationToken))).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(400_000, histogram.Count);
        Assert.Equal(1976, histogram.Max);
    }

    [Fact]
    public void Add_MergesCountsAndExtremes()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(10);
        b.Record(1_000_000);
        b.Record(5);

        a.Add(b);

        Assert.Equal(3, a.Count);
        Assert.Equal(5, a.Min);
        Assert.Equal(1_000_000, a.Max);
    }
}
