using System.Text.Json;
using Gate.V1;
using GateSidecar.Tests.Approvals.Functional;
using GateSidecar.Tests.Infrastructure;

namespace GateSidecar.Tests.Telemetry;

/// <summary>Structured logs: one JSON object per line, stable event ids, approval and trace ids on approval lines.</summary>
public sealed class JsonLogTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task LogFormatJson_ApprovalLinesCarryEventIdApprovalIdAndTheCallersTraceId_EvenWithoutExport()
    {
        // No exporter at all: the trace id still comes from the agent's traceparent.
        await using var sidecar = await TracedSidecar.StartAsync(
            (env, _) =>
            {
                env["OTEL_EXPORTER_OTLP_ENDPOINT"] = string.Empty;
                env["GATE_LOG_FORMAT"] = "json";
            });
        var agent = TracedSidecar.CallerContext();

        var check = await sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(900), TracedSidecar.With(agent.TraceParent)).WaitAsync(Wait);
        await sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = check.ApprovalId, Verdict = DecisionVerdict.Reject, Reason = "not this customer" }).WaitAsync(Wait);

        var lines = await WaitForLinesAsync(sidecar.Process, entries => entries.Any(e => EventId(e) == 2004));
        Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, line.ValueKind));

        var pending = Assert.Single(lines, e => EventId(e) == 2001);
        Assert.Equal(check.ApprovalId, State(pending, "ApprovalId"));
        Assert.Equal(agent.TraceId, State(pending, "TraceId"));

        // Closed by the approver's request, yet still tied to the agent's trace.
        var closed = Assert.Single(lines, e => EventId(e) == 2004);
        Assert.Equal(check.ApprovalId, State(closed, "ApprovalId"));
        Assert.Equal(agent.TraceId, State(closed, "TraceId"));
        Assert.Equal("REJECTED", State(closed, "State"));
        Assert.Equal("approver:alice", State(closed, "Actor"));
        Assert.DoesNotContain("4111111111111111", sidecar.Process.StandardError);
        Assert.Empty(sidecar.Receiver.Requests);
    }

    [Fact]
    public async Task BadOtelVariables_RefuseToStart_NamingEachVariable()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gate-otel-bad-" + Guid.NewGuid().ToString("N"));
        ApprovalSidecar.WriteFiles(directory);
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "collector:4318",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/json",
            ["OTEL_TRACES_SAMPLER_ARG"] = "2",
        };

        var (exitCode, _, stderr) = await GateProcess.RunToExitAsync(ApprovalSidecar.Arguments(directory), environment);

        Assert.Equal(2, exitCode);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' is not an absolute http:// or https:// URL", stderr);
        Assert.Contains("OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' is not supported; use http/protobuf or grpc", stderr);
        Assert.Contains("OTEL_TRACES_SAMPLER_ARG: '2' is not a ratio between 0 and 1", stderr);
        Directory.Delete(directory, recursive: true);
    }

    private static int EventId(JsonElement entry) => entry.TryGetProperty("EventId", out var id) ? id.GetInt32() : -1;

    private static string? State(JsonElement entry, string name) => entry.GetProperty("State").GetProperty(name).GetString();

    private static async Task<List<JsonElement>> WaitForLinesAsync(GateProcess process, Func<List<JsonElement>, bool> done)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var lines = process.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => JsonDocument.Parse(line).RootElement)
                .ToList();
            if (done(lines))
            {
                return lines;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the expected log lines did not appear; stderr:\n" + process.StandardError);
            }

            await Task.Delay(50);
        }
    }
}
