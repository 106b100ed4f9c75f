using System.Numerics;

namespace Gate.LoadTests.Measurement;

/// <summary>
/// A log-linear histogram of durations in nanoseconds: values below 2^<see cref="SubBucketBits"/>
/// have a bucket each; above, every power of two is split into 2^(SubBucketBits-1) equal buckets,
/// so any recorded value is known to within 1/2^(SubBucketBits-1) of itself (0.8 % with 8 bits).
/// Recording is lock-free (one interlocked increment); reading while recording gives a consistent
/// enough snapshot for progress lines, and an exact one once recording stopped.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>2^8 = 256 linear buckets at the bottom, 128 buckets per power of two above.</summary>
    public const int SubBucketBits = 8;

    /// <summary>The largest value kept exactly: 2^42 ns, about 73 minutes; larger values land in the last bucket.</summary>
    public const long MaxTrackable = (1L << 42) - 1;

    private const int HalfCount = 1 << (SubBucketBits - 1);
    private const int LinearCount = 1 << SubBucketBits;

    private readonly long[] _counts = new long[BucketIndex(MaxTrackable) + 1];
    private long _total;
    private long _sum;
    private long _min = long.MaxValue;
    private long _max;

    public long Count => Volatile.Read(ref _total);

    public long Max => Volatile.Read(ref _max);

    public long Min => Count == 0 ? 0 : Volatile.Read(ref _min);

    public double Mean => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    /// <summary>Records one duration; negative values count as zero.</summary>
    public void Record(long nanoseconds)
    {
        var value = Math.Clamp(nanoseconds, 0, MaxTrackable);
        Interlocked.Increment(ref _counts[BucketIndex(value)]);
        Interlocked.Add(ref _sum, value);
        Interlocked.Increment(ref _total);
        UpdateMin(value);
        UpdateMax(value);
    }

    /// <summary>Adds every count of <paramref name="other"/> to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < _counts.Length; i++)
        {
            var c = Volatile.Read(ref other._counts[i]);
            if (c != 0)
            {
                Interlocked.Add(ref _counts[i], c);
            }
        }

        Interlocked.Add(ref _sum, Volatile.Read(ref other._sum));
        Interlocked.Add(ref _total, other.Count);
        if (other.Count > 0)
        {
            UpdateMin(other.Min);
            UpdateMax(other.Max);
        }
    }

    /// <summary>
    /// The value at quantile <paramref name="q"/> (0..1): the highest value of the bucket holding
    /// the ceil(q·count)-th smallest recording, never above the exact maximum. 0 when empty.
    /// </summary>
    public long ValueAtQuantile(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1.0);
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(HighestEquivalent(i), Max);
            }
        }

        return Max;
    }

    /// <summary>The bucket a value falls into.</summary>
    internal static int BucketIndex(long value)
    {
        if (value < LinearCount)
        {
            return (int)value;
        }

        var shift = BitOperations.Log2((ulong)value) - SubBucketBits + 1;
        var sub = (int)(value >> shift);
        return (shift * HalfCount) + sub;
    }

    /// <summary>The smallest value of bucket <paramref name="index"/>.</summary>
    internal static long LowestEquivalent(int index)
    {
        if (index < LinearCount)
        {
            return index;
        }

        var shift = (index / HalfCount) - 1;
        var sub = (index % HalfCount) + HalfCount;
        return (long)sub << shift;
    }

    /// <summary>The largest value of bucket <paramref name="index"/>.</summary>
    internal static long HighestEquivalent(int index)
    {
        if (index < LinearCount)
        {
            return index;
        }

        var shift = (index / HalfCount) - 1;
        return LowestEquivalent(index) + (1L << shift) - 1;
    }

    private void UpdateMin(long value)
    {
        var current = Volatile.Read(ref _min);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref _min, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private void UpdateMax(long value)
    {
        var current = Volatile.Read(ref _max);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref _max, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
