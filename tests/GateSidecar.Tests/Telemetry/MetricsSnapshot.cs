using Gate.Testing.Otlp;

namespace GateSidecar.Tests.Telemetry;

/// <summary>One exported data point: a counter's or gauge's value, or a histogram's count, sum and bucket bounds.</summary>
internal sealed record MetricPoint(string Name, string Unit, IReadOnlyDictionary<string, string> Attributes, double Value, ulong Count, double Sum, IReadOnlyList<double>? Bounds = null)
{
    public bool Matches(params (string Key, string Value)[] attributes) =>
        attributes.All(a => Attributes.TryGetValue(a.Key, out var v) && v == a.Value);
}

/// <summary>
/// The latest value of every series received (the sidecar exports cumulative temporality, so the
/// latest export of a series holds its total), plus the resource of the latest export.
/// </summary>
internal sealed class MetricsSnapshot
{
    private readonly Dictionary<string, MetricPoint> _latest;

    private MetricsSnapshot(Dictionary<string, MetricPoint> latest, Resource? resource)
    {
        _latest = latest;
        Resource = resource;
    }

    public Resource? Resource { get; }

    public IEnumerable<MetricPoint> Points => _latest.Values;

    public static MetricsSnapshot From(IEnumerable<ExportMetricsServiceRequest> requests)
    {
        var latest = new Dictionary<string, MetricPoint>(StringComparer.Ordinal);
        Resource? lastResource = null;
        foreach (var resource in requests.SelectMany(r => r.ResourceMetrics))
        {
            lastResource = resource.Resource;
            foreach (var metric in resource.ScopeMetrics.SelectMany(s => s.Metrics))
            {
                foreach (var point in PointsOf(metric))
                {
                    latest[point.Name + "|" + string.Join(",", point.Attributes.OrderBy(a => a.Key).Select(a => a.Key + "=" + a.Value))] = point;
                }
            }
        }

        return new MetricsSnapshot(latest, lastResource);
    }

    public IReadOnlyList<MetricPoint> Series(string name, params (string Key, string Value)[] attributes) =>
        [.. _latest.Values.Where(p => p.Name == name && p.Matches(attributes))];

    /// <summary>The sum of the matching series' values (counters, gauges) or counts (histograms).</summary>
    public double Total(string name, params (string Key, string Value)[] attributes) =>
        Series(name, attributes).Sum(p => p.Count > 0 ? p.Count : p.Value);

    public string Describe() => _latest.Count == 0
        ? "nothing"
        : string.Join("; ", _latest.Values.GroupBy(p => p.Name).Select(g => $"{g.Key} x{g.Count()}"));

    private static IEnumerable<MetricPoint> PointsOf(Metric metric)
    {
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Sum:
                return metric.Sum.DataPoints.Select(p => Number(metric, p.Attributes, p));
            case Metric.DataOneofCase.Gauge:
                return metric.Gauge.DataPoints.Select(p => Number(metric, p.Attributes, p));
            case Metric.DataOneofCase.Histogram:
                return metric.Histogram.DataPoints.Select(p => new MetricPoint(metric.Name, metric.Unit, Attributes(p.Attributes), 0, p.Count, p.HasSum ? p.Sum : 0, [.. p.ExplicitBounds]));
            default:
                return [];
        }
    }

    private static MetricPoint Number(Metric metric, IEnumerable<KeyValue> attributes, NumberDataPoint point) =>
        new(metric.Name, metric.Unit, Attributes(attributes), point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble, 0, 0);

    private static Dictionary<string, string> Attributes(IEnumerable<KeyValue> attributes) =>
        attributes.ToDictionary(a => a.Key, a => ExportedSpan.Text(a.Value), StringComparer.Ordinal);
}
