namespace GateSidecar.Telemetry;

/// <summary>OTLP transport: protobuf over HTTP (<c>/v1/traces</c>, <c>/v1/metrics</c>) or gRPC.</summary>
internal enum OtlpProtocol
{
    HttpProtobuf,
    Grpc,
}

/// <summary>The trace sampler (OTEL_TRACES_SAMPLER), with its ratio for the traceidratio kinds.</summary>
internal enum TraceSampling
{
    ParentBasedAlwaysOn,
    ParentBasedAlwaysOff,
    ParentBasedTraceIdRatio,
    AlwaysOn,
    AlwaysOff,
    TraceIdRatio,
}

/// <summary>
/// Where and how Gate exports traces and metrics; read from the standard <c>OTEL_*</c> variables by
/// <see cref="TelemetryOptionsReader"/>. A signal without an endpoint is not exported, and no
/// provider is built for it.
/// </summary>
internal sealed record TelemetryOptions
{
    public const string DefaultServiceName = "gate";

    /// <summary>Nothing exported.</summary>
    public static readonly TelemetryOptions Disabled = new();

    /// <summary>Resource <c>service.name</c>.</summary>
    public string ServiceName { get; init; } = DefaultServiceName;

    /// <summary>The full URL spans are sent to (with <c>/v1/traces</c> for HTTP); null: no traces.</summary>
    public Uri? TracesEndpoint { get; init; }

    public OtlpProtocol TracesProtocol { get; init; } = OtlpProtocol.HttpProtobuf;

    /// <summary>The full URL metrics are sent to (with <c>/v1/metrics</c> for HTTP); null: no metrics.</summary>
    public Uri? MetricsEndpoint { get; init; }

    public OtlpProtocol MetricsProtocol { get; init; } = OtlpProtocol.HttpProtobuf;

    public TraceSampling Sampler { get; init; } = TraceSampling.ParentBasedAlwaysOn;

    /// <summary>The sampled share for the traceidratio samplers, in [0, 1].</summary>
    public double SamplerRatio { get; init; } = 1.0;

    /// <summary>Delay between span batches (OTEL_BSP_SCHEDULE_DELAY); null: the SDK default, 5 s.</summary>
    public int? SpanBatchDelayMilliseconds { get; init; }

    /// <summary>Interval between metric exports (OTEL_METRIC_EXPORT_INTERVAL); null: the SDK default, 60 s.</summary>
    public int? MetricExportIntervalMilliseconds { get; init; }

    public bool TracesEnabled => TracesEndpoint is not null;

    public bool MetricsEnabled => MetricsEndpoint is not null;
}
