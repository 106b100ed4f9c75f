namespace Gate.LoadTests.Measurement;

/// <summary>The figures a report prints for one histogram, in milliseconds.</summary>
internal sealed record LatencySummary(long Count, double MinMs, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0, 0, 0);

    public static LatencySummary Of(LatencyHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.Count == 0)
        {
            return Empty;
        }

        return new LatencySummary(
            histogram.Count,
            Ms(histogram.Min),
            histogram.Mean / 1e6,
            Ms(histogram.ValueAtQuantile(0.50)),
            Ms(histogram.ValueAtQuantile(0.90)),
            Ms(histogram.ValueAtQuantile(0.99)),
            Ms(histogram.ValueAtQuantile(0.999)),
            Ms(histogram.Max));
    }

    private static double Ms(long nanoseconds) => nanoseconds / 1e6;
}
