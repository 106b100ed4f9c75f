using System.Globalization;

namespace GateSidecar.Telemetry;

/// <summary>
/// Reads <see cref="TelemetryOptions"/> from the standard OpenTelemetry environment variables
/// (OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL and their per-signal forms, OTEL_SERVICE_NAME,
/// OTEL_TRACES_SAMPLER/_ARG, OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER, OTEL_SDK_DISABLED,
/// OTEL_BSP_SCHEDULE_DELAY, OTEL_METRIC_EXPORT_INTERVAL). Every bad value is reported.
/// </summary>
internal static class TelemetryOptionsReader
{
    public static (TelemetryOptions Options, IReadOnlyList<string> Errors) Read(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var errors = new List<string>();
        string? Get(string name) => variable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var options = new TelemetryOptions { ServiceName = Get("OTEL_SERVICE_NAME") ?? TelemetryOptions.DefaultServiceName };
        if (Get("OTEL_SDK_DISABLED") is { } disabled)
        {
            if (!bool.TryParse(disabled, out var off))
            {
                errors.Add($"OTEL_SDK_DISABLED: '{disabled}' is not true or false");
            }
            else if (off)
            {
                return (options, errors);
            }
        }

        var protocol = Protocol(Get, "OTEL_EXPORTER_OTLP_PROTOCOL", OtlpProtocol.HttpProtobuf, errors);
        var endpoint = Endpoint(Get, "OTEL_EXPORTER_OTLP_ENDPOINT", errors);
        var tracesProtocol = Protocol(Get, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", protocol, errors);
        var metricsProtocol = Protocol(Get, "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", protocol, errors);
        var tracesEndpoint = Endpoint(Get, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", errors) ?? ForSignal(endpoint, tracesProtocol, "v1/traces");
        var metricsEndpoint = Endpoint(Get, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", errors) ?? ForSignal(endpoint, metricsProtocol, "v1/metrics");

        options = options with
        {
            TracesEndpoint = Exports(Get, "OTEL_TRACES_EXPORTER", errors) ? tracesEndpoint : null,
            TracesProtocol = tracesProtocol,
            MetricsEndpoint = Exports(Get, "OTEL_METRICS_EXPORTER", errors) ? metricsEndpoint : null,
            MetricsProtocol = metricsProtocol,
            Sampler = Sampler(Get, errors),
            SamplerRatio = Ratio(Get, errors),
            SpanBatchDelayMilliseconds = Milliseconds(Get, "OTEL_BSP_SCHEDULE_DELAY", errors),
            MetricExportIntervalMilliseconds = Milliseconds(Get, "OTEL_METRIC_EXPORT_INTERVAL", errors),
        };
        return (options, errors);
    }

    /// <summary>The base endpoint plus the signal's path for HTTP (as the OTLP spec says); as is for gRPC.</summary>
    private static Uri? ForSignal(Uri? endpoint, OtlpProtocol protocol, string path)
    {
        if (endpoint is null || protocol == OtlpProtocol.Grpc)
        {
            return endpoint;
        }

        var text = endpoint.AbsoluteUri;
        return new Uri(text.EndsWith('/') ? text + path : text + "/" + path);
    }

    private static OtlpProtocol Protocol(Func<string, string?> get, string name, OtlpProtocol fallback, List<string> errors)
    {
        switch (get(name))
        {
            case null:
                return fallback;
            case "http/protobuf":
                return OtlpProtocol.HttpProtobuf;
            case "grpc":
                return OtlpProtocol.Grpc;
            case var other:
                errors.Add($"{name}: '{other}' is not supported; use http/protobuf or grpc");
                return fallback;
        }
    }

    private static Uri? Endpoint(Func<string, string?> get, string name, List<string> errors)
    {
        var value = get(name);
        if (value is null)
        {
            return null;
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        errors.Add($"{name}: '{value}' is not an absolute http:// or https:// URL (e.g. http://127.0.0.1:4318)");
        return null;
    }

    private static bool Exports(Func<string, string?> get, string name, List<string> errors)
    {
        switch (get(name))
        {
            case null or "otlp":
                return true;
            case "none":
                return false;
            case var other:
                errors.Add($"{name}: '{other}' is not supported; use otlp (the default) or none");
                return false;
        }
    }

    private static TraceSampling Sampler(Func<string, string?> get, List<string> errors)
    {
        switch (get("OTEL_TRACES_SAMPLER"))
        {
            case null or "parentbased_always_on":
                return TraceSampling.ParentBasedAlwaysOn;
            case "parentbased_always_off":
                return TraceSampling.ParentBasedAlwaysOff;
            case "parentbased_traceidratio":
                return TraceSampling.ParentBasedTraceIdRatio;
            case "always_on":
                return TraceSampling.AlwaysOn;
            case "always_off":
                return TraceSampling.AlwaysOff;
            case "traceidratio":
                return TraceSampling.TraceIdRatio;
            case var other:
                errors.Add($"OTEL_TRACES_SAMPLER: '{other}' is not supported; use always_on, always_off, traceidratio, parentbased_always_on (the default), parentbased_always_off or parentbased_traceidratio");
                return TraceSampling.ParentBasedAlwaysOn;
        }
    }

    private static double Ratio(Func<string, string?> get, List<string> errors)
    {
        var value = get("OTEL_TRACES_SAMPLER_ARG");
        if (value is null)
        {
            return 1.0;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1)
        {
            return ratio;
        }

        errors.Add($"OTEL_TRACES_SAMPLER_ARG: '{value}' is not a ratio between 0 and 1 (e.g. 0.25)");
        return 1.0;
    }

    private static int? Milliseconds(Func<string, string?> get, string name, List<string> errors)
    {
        var value = get(name);
        if (value is null)
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0)
        {
            return ms;
        }

        errors.Add($"{name}: '{value}' is not a positive whole number of milliseconds");
        return null;
    }
}
