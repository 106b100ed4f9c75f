using Gate.Testing.Otlp;
using Google.Protobuf;

namespace GateSidecar.Tests.Telemetry;

/// <summary>One exported span with its resource and scope, and lookups by attribute.</summary>
internal sealed record ExportedSpan(Span Span, Resource Resource, InstrumentationScope Scope)
{
    public string Name => Span.Name;

    public string TraceId => Hex(Span.TraceId);

    public string SpanId => Hex(Span.SpanId);

    /// <summary>Empty for a root span.</summary>
    public string ParentSpanId => Hex(Span.ParentSpanId);

    public Span.Types.SpanKind Kind => Span.Kind;

    public IReadOnlyList<(string TraceId, string SpanId)> Links => [.. Span.Links.Select(l => (Hex(l.TraceId), Hex(l.SpanId)))];

    public DateTimeOffset Start => FromNanos(Span.StartTimeUnixNano);

    public DateTimeOffset End => FromNanos(Span.EndTimeUnixNano);

    public string? ResourceAttribute(string key) => Find(Resource.Attributes, key)?.StringValue;

    public bool Has(string key) => Find(Span.Attributes, key) is not null;

    /// <summary>The attribute as text (strings as is, numbers and booleans formatted); null when absent.</summary>
    public string? this[string key] => Find(Span.Attributes, key) is { } value ? Text(value) : null;

    public static IEnumerable<ExportedSpan> From(IEnumerable<ExportTraceServiceRequest> requests) =>
        from request in requests
        from resource in request.ResourceSpans
        from scope in resource.ScopeSpans
        from span in scope.Spans
        select new ExportedSpan(span, resource.Resource ?? new Resource(), scope.Scope ?? new InstrumentationScope());

    public override string ToString() => $"{Name} [{TraceId}/{SpanId} parent {ParentSpanId}]";

    internal static AnyValue? Find(IEnumerable<KeyValue> attributes, string key) => attributes.FirstOrDefault(a => a.Key == key)?.Value;

    internal static string Text(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    private static DateTimeOffset FromNanos(ulong nanos) => DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100));
}
