using GateSidecar.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace GateSidecar.Tests.Telemetry;

public sealed class TelemetryOptionsReaderTests
{
    private static (TelemetryOptions Options, IReadOnlyList<string> Errors) Read(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return TelemetryOptionsReader.Read(name => map.GetValueOrDefault(name));
    }

    [Fact]
    public void Read_NoEndpoint_ExportsNothingAndBuildsNoProvider()
    {
        var (options, errors) = Read(("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_TRACES_SAMPLER", "always_on"));

        Assert.Empty(errors);
        Assert.False(options.TracesEnabled);
        Assert.False(options.MetricsEnabled);
        Assert.Equal("gate", options.ServiceName);
        using var pipeline = TelemetryPipeline.Start(options, NullLogger.Instance);
        Assert.Null(pipeline.Tracer);
        Assert.Null(pipeline.Meter);
    }

    [Fact]
    public void Read_HttpEndpoint_AppendsTheSignalPaths()
    {
        var (options, errors) = Read(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/otlp/"), ("OTEL_SERVICE_NAME", "gate-eu"));

        Assert.Empty(errors);
        Assert.Equal(new Uri("http://collector:4318/otlp/v1/traces"), options.TracesEndpoint);
        Assert.Equal(new Uri("http://collector:4318/otlp/v1/metrics"), options.MetricsEndpoint);
        Assert.Equal((OtlpProtocol.HttpProtobuf, OtlpProtocol.HttpProtobuf), (options.TracesProtocol, options.MetricsProtocol));
        Assert.Equal("gate-eu", options.ServiceName);
    }

    [Fact]
    public void Read_GrpcEndpoint_IsUsedAsIs_AndSignalSpecificValuesWin()
    {
        var (options, errors) = Read(
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://metrics:4318/v1/metrics"));

        Assert.Empty(errors);
        Assert.Equal((new Uri("http://collector:4317"), OtlpProtocol.Grpc), (options.TracesEndpoint, options.TracesProtocol));
        Assert.Equal((new Uri("http://metrics:4318/v1/metrics"), OtlpProtocol.HttpProtobuf), (options.MetricsEndpoint, options.MetricsProtocol));
    }

    [Fact]
    public void Read_ExporterNone_TurnsOneSignalOff_AndSdkDisabledTurnsBothOff()
    {
        var (metricsOnly, _) = Read(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_TRACES_EXPORTER", "none"));
        Assert.False(metricsOnly.TracesEnabled);
        Assert.True(metricsOnly.MetricsEnabled);

        var (disabled, errors) = Read(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_SDK_DISABLED", "true"));
        Assert.Empty(errors);
        Assert.False(disabled.TracesEnabled || disabled.MetricsEnabled);
    }

    [Fact]
    public void Read_Sampler_TakesTheStandardNamesAndRatio()
    {
        var (options, errors) = Read(("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "0.25"));

        Assert.Empty(errors);
        Assert.Equal((TraceSampling.ParentBasedTraceIdRatio, 0.25), (options.Sampler, options.SamplerRatio));
    }

    [Fact]
    public void Read_BadValues_ReportsEveryOneWithWhatToUse()
    {
        var (_, errors) = Read(
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"),
            ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json"),
            ("OTEL_TRACES_SAMPLER", "jaeger_remote"),
            ("OTEL_TRACES_SAMPLER_ARG", "-1"),
            ("OTEL_METRICS_EXPORTER", "prometheus"),
            ("OTEL_BSP_SCHEDULE_DELAY", "soon"),
            ("OTEL_SDK_DISABLED", "maybe"));

        Assert.Equal(
            [
                "OTEL_SDK_DISABLED: 'maybe' is not true or false",
                "OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' is not an absolute http:// or https:// URL (e.g. http://127.0.0.1:4318)",
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' is not supported; use http/protobuf or grpc",
                "OTEL_METRICS_EXPORTER: 'prometheus' is not supported; use otlp (the default) or none",
                "OTEL_TRACES_SAMPLER: 'jaeger_remote' is not supported; use always_on, always_off, traceidratio, parentbased_always_on (the default), parentbased_always_off or parentbased_traceidratio",
                "OTEL_TRACES_SAMPLER_ARG: '-1' is not a ratio between 0 and 1 (e.g. 0.25)",
                "OTEL_BSP_SCHEDULE_DELAY: 'soon' is not a positive whole number of milliseconds",
            ],
            errors);
    }
}
