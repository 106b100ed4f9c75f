using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace GateSidecar.Telemetry;

/// <summary>
/// The OpenTelemetry providers: one tracer provider listening to the <c>Gate</c> source and one
/// meter provider reading the <c>Gate</c> meter, each exporting over OTLP — built only for the
/// signals that have an endpoint. Disposing flushes what is buffered and shuts both down.
/// </summary>
internal sealed partial class TelemetryPipeline : IDisposable
{
    private TelemetryPipeline(TelemetryOptions options, TracerProvider? tracer, MeterProvider? meter)
    {
        Options = options;
        Tracer = tracer;
        Meter = meter;
    }

    public TelemetryOptions Options { get; }

    public TracerProvider? Tracer { get; }

    public MeterProvider? Meter { get; }

    public static TelemetryPipeline Start(TelemetryOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tracer = options.TracesEndpoint is { } traces ? BuildTracer(options, traces) : null;
        var meter = options.MetricsEndpoint is { } metrics ? BuildMeter(options, metrics) : null;
        if (tracer is not null)
        {
            LogExportingTraces(logger, options.TracesEndpoint!, Name(options.TracesProtocol), options.Sampler, options.SamplerRatio, options.ServiceName);
        }

        if (meter is not null)
        {
            LogExportingMetrics(logger, options.MetricsEndpoint!, Name(options.MetricsProtocol), options.ServiceName);
        }

        return new TelemetryPipeline(options, tracer, meter);
    }

    public void Dispose()
    {
        Tracer?.Dispose();
        Meter?.Dispose();
    }

    private static TracerProvider BuildTracer(TelemetryOptions options, Uri endpoint) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(Resource(options))
            .AddSource(GateDiagnostics.Name)
            .SetSampler(Sampler(options))
            .AddOtlpExporter(otlp =>
            {
                Configure(otlp, endpoint, options.TracesProtocol);
                otlp.ExportProcessorType = ExportProcessorType.Batch;
                if (options.SpanBatchDelayMilliseconds is { } delay)
                {
                    otlp.BatchExportProcessorOptions.ScheduledDelayMilliseconds = delay;
                }
            })
            .Build();

    /// <summary>The meter .NET publishes its runtime instruments on (<c>dotnet.gc.*</c>, <c>dotnet.thread_pool.*</c>, …).</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>Kestrel's meter (<c>kestrel.active_connections</c>, <c>kestrel.connection.duration</c>, …).</summary>
    public const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    private static MeterProvider BuildMeter(TelemetryOptions options, Uri endpoint) =>
        Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(Resource(options))
            .AddMeter(GateDiagnostics.Name)
            // The runtime's own instruments (GC collections and pause time, heap, thread pool queue
            // and threads, lock contention, CPU time) and Kestrel's connection instruments: read
            // when a metric is exported or when a connection opens or closes. Kestrel's
            // kestrel.queued_requests would be counted twice per call (each HTTP/2 stream queued and
            // started), so it is dropped, which also leaves it disabled in Kestrel.
            .AddMeter(RuntimeMeter, KestrelMeter)
            .AddView("kestrel.queued_requests", MetricStreamConfiguration.Drop)
            .AddOtlpExporter((otlp, reader) =>
            {
                Configure(otlp, endpoint, options.MetricsProtocol);
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                if (options.MetricExportIntervalMilliseconds is { } interval)
                {
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                }
            })
            .Build();

    private static void Configure(OtlpExporterOptions otlp, Uri endpoint, OtlpProtocol protocol)
    {
        // The endpoint is already the signal's full URL (see TelemetryOptionsReader); headers,
        // timeout and compression still come from the OTEL_EXPORTER_OTLP_* variables.
        otlp.Endpoint = endpoint;
        otlp.Protocol = protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
    }

    private static ResourceBuilder Resource(TelemetryOptions options) =>
        ResourceBuilder.CreateDefault().AddService(options.ServiceName, serviceVersion: GateDiagnostics.Version);

    private static Sampler Sampler(TelemetryOptions options) => options.Sampler switch
    {
        TraceSampling.AlwaysOn => new AlwaysOnSampler(),
        TraceSampling.AlwaysOff => new AlwaysOffSampler(),
        TraceSampling.TraceIdRatio => new TraceIdRatioBasedSampler(options.SamplerRatio),
        TraceSampling.ParentBasedAlwaysOff => new ParentBasedSampler(new AlwaysOffSampler()),
        TraceSampling.ParentBasedTraceIdRatio => new ParentBasedSampler(new TraceIdRatioBasedSampler(options.SamplerRatio)),
        _ => new ParentBasedSampler(new AlwaysOnSampler()),
    };

    private static string Name(OtlpProtocol protocol) => protocol == OtlpProtocol.Grpc ? "grpc" : "http/protobuf";

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "exporting traces to {Endpoint} over OTLP {Protocol} (sampler {Sampler}, ratio {Ratio}, service.name {ServiceName})")]
    private static partial void LogExportingTraces(ILogger logger, Uri endpoint, string protocol, TraceSampling sampler, double ratio, string serviceName);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "exporting metrics to {Endpoint} over OTLP {Protocol} (service.name {ServiceName})")]
    private static partial void LogExportingMetrics(ILogger logger, Uri endpoint, string protocol, string serviceName);
}
