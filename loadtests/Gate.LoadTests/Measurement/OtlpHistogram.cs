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

    /// <summary>True when <paramref name="other"/> counts into the same buckets.</summary>
    public bool SameBuckets(OtlpHistogram other) => Counts.Length == other.Counts.Length && Bounds.SequenceEqual(other.Bounds);

    /// <summary>Both histograms' counts together (e.g. two attribute sets of one instrument); null when the buckets differ.</summary>
    public OtlpHistogram? Plus(OtlpHistogram other) =>
        SameBuckets(other) ? this with { Counts = [.. Counts.Zip(other.Counts, (a, b) => a + b)] } : null;

    /// <summary>The calls recorded after <paramref name="earlier"/>; null when the buckets differ or a count went down (a restart).</summary>
    public OtlpHistogram? Since(OtlpHistogram earlier)
    {
        if (!SameBuckets(earlier))
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

    /// <summary>
    /// Report rows for Gate's latency histograms (<see cref="OtlpGcDecoder.LatencyInstruments"/>)
    /// between two readings of one sidecar: p50 and p99 as bucket upper bounds, and how many were
    /// measured. None for an instrument missing from either reading, rebucketed or restarted.
    /// </summary>
    public static IEnumerable<(string Name, double Value, string Unit)> Rows(string process, GcReading first, GcReading last)
    {
        foreach (var (instrument, what) in OtlpGcDecoder.LatencyInstruments)
        {
            if (first.Latencies?.GetValueOrDefault(instrument) is { } before && last.Latencies?.GetValueOrDefault(instrument) is { } after
                && after.Since(before) is { } window && window.UpperBound(0.5) is { } p50 && window.UpperBound(0.99) is { } p99)
            {
                yield return (
                    $"{what} ({instrument}), p50 / p99 at most: {process}",
                    (double.IsPositiveInfinity(p50) ? window.Bounds[^1] : p50) * 1000,
                    string.Create(CultureInfo.InvariantCulture, $"ms / {window.Describe(p99)} (upper bounds of the sidecar's buckets; {window.Count:#,0} measured)"));
            }
        }
    }

    /// <summary>A bound as the report shows it: "25 ms", or "> 5,000 ms" for the overflow bucket.</summary>
    public string Describe(double bound) => double.IsPositiveInfinity(bound)
        ? string.Create(CultureInfo.InvariantCulture, $"> {Bounds[^1] * 1000:#,0.###} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{bound * 1000:#,0.###} ms");
}
