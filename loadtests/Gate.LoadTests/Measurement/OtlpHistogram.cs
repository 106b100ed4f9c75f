using System.Globalization;

namespace Gate.LoadTests.Measurement;

/// <summary>
/// A cumulative explicit-bucket histogram as a sidecar exports it over OTLP (seconds):
/// <see cref="Counts"/> has one more entry than <see cref="Bounds"/>, the last for values above the
/// last bound. Two readings give the window between them (<see cref="Since"/>); quantiles are
/// read as the upper bound of the bucket they fall in, so they say "at most", bucket-wide.
/// </summary>
internal sealed record OtlpHistogram(double[] Bounds, long[] Counts)
{
    public long Count => Counts.Sum();

    /// <summary>The calls recorded after <paramref name="earlier"/>; null when the buckets differ or a count went down (a restart).</summary>
    public OtlpHistogram? Since(OtlpHistogram earlier)
    {
        if (!Bounds.SequenceEqual(earlier.Bounds) || Counts.Length != earlier.Counts.Length)
        {
            return null;
        }

        var counts = new long[Counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Counts[i] - earlier.Counts[i];
            if (counts[i] < 0)
            {
                return null;
            }
        }

        return this with { Counts = counts };
    }

    /// <summary>The upper bound (seconds) of the bucket holding quantile <paramref name="q"/>; +∞ for the overflow bucket; null when empty.</summary>
    public double? UpperBound(double q)
    {
        var total = Count;
        if (total == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (var i = 0; i < Counts.Length; i++)
        {
            seen += Counts[i];
            if (seen >= rank)
            {
                return i < Bounds.Length ? Bounds[i] : double.PositiveInfinity;
            }
        }

        return double.PositiveInfinity;
    }

    /// <summary>A bound as the report shows it: "25 ms", or "> 5,000 ms" for the overflow bucket.</summary>
    public string Describe(double bound) => double.IsPositiveInfinity(bound)
        ? string.Create(CultureInfo.InvariantCulture, $"> {Bounds[^1] * 1000:#,0.###} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{bound * 1000:#,0.###} ms");
}
