using Gate.Testing.Otlp;
using Google.Protobuf;

namespace Gate.LoadTests.Measurement;

/// <summary>
/// Reads the garbage-collector counters of the .NET runtime's <c>System.Runtime</c> meter out of an
/// OTLP <c>ExportMetricsServiceRequest</c> (cumulative sums): <c>dotnet.gc.heap.total_allocated</c>,
/// <c>dotnet.gc.collections</c> by <c>gc.heap.generation</c> and <c>dotnet.gc.pause.time</c>.
/// </summary>
internal static class OtlpGcDecoder
{
    public const string Allocated = "dotnet.gc.heap.total_allocated";
    public const string Collections = "dotnet.gc.collections";
    public const string Paused = "dotnet.gc.pause.time";
    public const string Generation = "gc.heap.generation";

    /// <summary>Gate's own latency histograms kept beside the counters, with what each measures.</summary>
    public static readonly IReadOnlyDictionary<string, string> LatencyInstruments = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["gate.check.duration"] = "Check or Guard evaluation inside the sidecar",
        ["gate.decision.duration"] = "a person's decision inside the sidecar",
    };

    /// <summary>
    /// The reading an export carries, or null when it holds none of the three counters (Gate's latency
    /// histograms ride along in the same export, never alone: a reading without the counters would
    /// read as a collector that had done nothing).
    /// </summary>
    /// <exception cref="InvalidProtocolBufferException">The body is not a protobuf message.</exception>
    public static GcReading? Decode(ReadOnlySpan<byte> body)
    {
        var request = ExportMetricsServiceRequest.Parser.ParseFrom(body);
        var seen = false;
        long time = 0;
        double allocated = 0, gen0 = 0, gen1 = 0, gen2 = 0, paused = 0;
        Dictionary<string, OtlpHistogram>? latencies = null;
        foreach (var metric in request.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics))
        {
            if (metric.DataCase == Metric.DataOneofCase.Histogram && LatencyInstruments.ContainsKey(metric.Name))
            {
                // Every attribute set (verdict, tier, error) added into one histogram of the instrument.
                foreach (var point in metric.Histogram.DataPoints)
                {
                    var bucket = new OtlpHistogram([.. point.ExplicitBounds], [.. point.BucketCounts.Select(c => (long)c)]);
                    latencies ??= new Dictionary<string, OtlpHistogram>(StringComparer.Ordinal);
                    // A point bucketed otherwise than the first (never, from one instrument) is left out.
                    latencies[metric.Name] = latencies.TryGetValue(metric.Name, out var sum) ? sum.Plus(bucket) ?? sum : bucket;
                }

                continue;
            }

            if (metric.DataCase != Metric.DataOneofCase.Sum || metric.Name is not (Allocated or Collections or Paused))
            {
                continue;
            }

            foreach (var point in metric.Sum.DataPoints)
            {
                seen = true;
                time = Math.Max(time, (long)point.TimeUnixNano);
                var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
                switch (metric.Name)
                {
                    case Allocated:
                        allocated += value;
                        break;
                    case Paused:
                        paused += value;
                        break;
                    default:
                        switch (point.Attributes.FirstOrDefault(a => a.Key == Generation)?.Value?.StringValue)
                        {
                            case "gen0":
                                gen0 += value;
                                break;
                            case "gen1":
                                gen1 += value;
                                break;
                            case "gen2":
                                gen2 += value;
                                break;
                        }

                        break;
                }
            }
        }

        return seen ? new GcReading(time, allocated, gen0, gen1, gen2, paused, latencies) : null;
    }
}
