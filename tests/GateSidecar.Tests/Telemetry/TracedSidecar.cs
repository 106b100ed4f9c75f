using Gate.Client;
using GateSidecar.Tests.Approvals.Functional;
using GateSidecar.Tests.Infrastructure;

namespace GateSidecar.Tests.Telemetry;

/// <summary>
/// The sidecar as its own process (so its Gate source and meter are not shared with other tests),
/// configured through the standard OTEL_* variables to export to an <see cref="OtlpReceiver"/>
/// with short batch and export intervals.
/// </summary>
internal sealed class TracedSidecar : IAsyncDisposable
{
    private TracedSidecar(OtlpReceiver receiver, GateProcess process, string directory)
    {
        Receiver = receiver;
        Process = process;
        Directory = directory;
        Channel = GateChannel.ForAddress(process.GrpcAddress);
        Gate = new GateClient(Channel);
    }

    public OtlpReceiver Receiver { get; }

    public GateProcess Process { get; }

    public string Directory { get; }

    public GateChannel Channel { get; }

    public GateClient Gate { get; }

    /// <summary>
    /// Starts a receiver and the sidecar exporting to its OTLP/HTTP port; <paramref name="configure"/>
    /// may change the variables (an empty value unsets one) and add arguments.
    /// </summary>
    public static async Task<TracedSidecar> StartAsync(Action<Dictionary<string, string>, OtlpReceiver>? configure = null, params string[] arguments)
    {
        var receiver = await OtlpReceiver.StartAsync();
        var directory = Path.Combine(Path.GetTempPath(), "gate-otel-" + Guid.NewGuid().ToString("N"));
        try
        {
            ApprovalSidecar.WriteFiles(directory);
            var environment = new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.HttpEndpoint.ToString(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_SERVICE_NAME"] = "gate-under-test",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "250",
            };
            configure?.Invoke(environment, receiver);
            var process = await GateProcess.StartAsync([.. ApprovalSidecar.Arguments(directory), .. arguments], environment);
            return new TracedSidecar(receiver, process, directory);
        }
        catch
        {
            await receiver.DisposeAsync();
            throw;
        }
    }

    public ApprovalsClient As(string approverId) => new(Channel, approverId + "-token");

    /// <summary>A fresh W3C context of a sampled caller: (traceparent header, trace id, span id).</summary>
    public static (string TraceParent, string TraceId, string SpanId) CallerContext(bool sampled = true)
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var spanId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]);
        return ($"00-{traceId}-{spanId}-{(sampled ? "01" : "00")}", traceId, spanId);
    }

    public static CallOptions With(string traceParent) =>
        new() { Headers = [new KeyValuePair<string, string>("traceparent", traceParent)], Timeout = TestTimeouts.Default };

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Process.DisposeAsync();
        await Receiver.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the killed process; the temp directory is reclaimed later.
        }
    }
}
