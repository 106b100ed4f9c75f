using System.Text;
using Gate.V1;
using GateSidecar.Tests.Approvals.Functional;
using Gate.Testing.Otlp;

namespace GateSidecar.Tests.Telemetry;

/// <summary>
/// What the sidecar exports over OTLP for real calls, decoded by a local receiver: the span tree
/// of an approved call, its attributes, the caller's traceparent as parent, and redaction.
/// </summary>
public sealed class TracingExportTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private const string CardNumber = "4111111111111111";

    [Fact]
    public async Task ApprovedCall_ExportsServerGuardrailWaitAndDecisionSpans_ContinuingTheCallersTrace()
    {
        await using var sidecar = await TracedSidecar.StartAsync((env, _) => env["GATE_LOG_FORMAT"] = "json");
        var agent = TracedSidecar.CallerContext();
        var approver = TracedSidecar.CallerContext();
        var request = ApprovalSidecar.Refund(900);

        var check = await sidecar.Gate.CheckAsync(request, TracedSidecar.With(agent.TraceParent)).WaitAsync(Wait);
        Assert.Equal(Verdict.Pending, check.Verdict);
        var decided = await sidecar.As("alice").DecideAsync(new DecideRequest { ApprovalId = check.ApprovalId, Verdict = DecisionVerdict.Approve }, TracedSidecar.With(approver.TraceParent)).WaitAsync(Wait);
        Assert.Equal(ApprovalState.Approved, decided.State);

        var spans = await sidecar.Receiver.WaitForSpansAsync(
            s => s.Any(x => x.Name == "gate.approval.wait") && s.Any(x => x.Name == "gate.v1.Approvals/Decide") && s.Any(x => x.Name == "gate.v1.Gate/Check"),
            Wait,
            "the Check, Decide and wait spans");

        // The server span continues the agent's traceparent and follows the RPC conventions.
        var server = Assert.Single(spans, s => s.Name == "gate.v1.Gate/Check");
        Assert.Equal((agent.TraceId, agent.SpanId), (server.TraceId, server.ParentSpanId));
        Assert.Equal(Span.Types.SpanKind.Server, server.Kind);
        Assert.Equal(("grpc", "gate.v1.Gate", "Check", "0"), (server["rpc.system"], server["rpc.service"], server["rpc.method"], server["rpc.grpc.status_code"]));
        Assert.Equal("gate-under-test", server.ResourceAttribute("service.name"));
        Assert.Equal("Gate", server.Scope.Name);

        // The policy decision is its child, with the GenAI guardrail attributes and gate.*.
        var guardrail = Assert.Single(spans, s => s.Name == "apply_guardrail");
        Assert.Equal((agent.TraceId, server.SpanId), (guardrail.TraceId, guardrail.ParentSpanId));
        Assert.Equal("apply_guardrail", guardrail["gen_ai.operation.name"]);
        Assert.Equal("pending", guardrail["gen_ai.security.decision.type"]);
        Assert.Equal("tool_call", guardrail["gen_ai.security.target.type"]);
        Assert.Equal(request.CallId, guardrail["gen_ai.security.target.id"]);
        Assert.Equal("large-refund", guardrail["gen_ai.security.policy.id"]);
        Assert.Equal("test-1", guardrail["gen_ai.security.policy.version"]);
        Assert.Equal(check.Reason, guardrail["gen_ai.security.decision.reason"]);
        Assert.Equal("payments.refund", guardrail["gen_ai.tool.name"]);
        Assert.Equal(request.CallId, guardrail["gen_ai.tool.call.id"]);
        Assert.Equal(("single", "large-refund", "pending", check.ApprovalId), (guardrail["gate.tier"], guardrail["gate.rule"], guardrail["gate.verdict"], guardrail["gate.approval_id"]));

        // The record's insertion is a store span under the decision.
        var create = Assert.Single(spans, s => s.Name == "gate.store.create" && s.TraceId == agent.TraceId);
        Assert.Equal(guardrail.SpanId, create.ParentSpanId);
        Assert.Equal(("sqlite", "create", check.ApprovalId), (create["db.system.name"], create["db.operation.name"], create["gate.approval_id"]));

        // The approver's call is its own trace; its decision span links back to the agent's call.
        var decideServer = Assert.Single(spans, s => s.Name == "gate.v1.Approvals/Decide");
        Assert.Equal((approver.TraceId, approver.SpanId), (decideServer.TraceId, decideServer.ParentSpanId));
        var decide = Assert.Single(spans, s => s.Name == "gate.approval.decide");
        Assert.Equal((approver.TraceId, decideServer.SpanId), (decide.TraceId, decide.ParentSpanId));
        Assert.Contains((agent.TraceId, guardrail.SpanId), decide.Links);
        Assert.Equal(("alice", "approve", "approved", check.ApprovalId), (decide["gate.approver"], decide["gate.decision.verdict"], decide["gate.approval.state"], decide["gate.approval_id"]));

        // The human wait sits in the agent's trace, from PENDING to APPROVED, linked to the decision.
        var wait = Assert.Single(spans, s => s.Name == "gate.approval.wait");
        Assert.Equal((agent.TraceId, guardrail.SpanId), (wait.TraceId, wait.ParentSpanId));
        Assert.Contains((approver.TraceId, decide.SpanId), wait.Links);
        Assert.Equal(("approved", "approver:alice", "large-refund", "false"), (wait["gate.approval.state"], wait["gate.approval.ended_by"], wait["gate.rule"], wait["gate.approval.edited"]));
        Assert.True(wait.Start <= guardrail.End, $"the wait starts when the approval is created ({wait.Start:O}), within the Check ({guardrail.Start:O}..{guardrail.End:O})");
        // Record times have millisecond precision, spans finer.
        Assert.True(wait.End >= decide.Start.AddMilliseconds(-1) && wait.End <= decide.End.AddMilliseconds(1), $"the wait ends with the decision ({wait.End:O} vs {decide.Start:O}..{decide.End:O})");

        // Log lines written inside the Check carry its span in their scopes.
        var pendingLine = sidecar.Process.StandardError.Split('\n').Single(l => l.Contains("\"EventId\":2001", StringComparison.Ordinal));
        Assert.Contains($"\"TraceId\":\"{agent.TraceId}\"", pendingLine, StringComparison.Ordinal);
        Assert.Contains($"\"SpanId\":\"{server.SpanId}\"", pendingLine, StringComparison.Ordinal);

        // Nothing exported carries the redacted card number (the response to the agent does).
        AssertNowhere(sidecar, CardNumber);
    }

    [Fact]
    public async Task UnsampledCaller_ExportsNoSpansForItsCall_AndRejectedCheckIsNotAServerError()
    {
        await using var sidecar = await TracedSidecar.StartAsync();
        var unsampled = TracedSidecar.CallerContext(sampled: false);
        var invalid = TracedSidecar.CallerContext();
        var marker = TracedSidecar.CallerContext();

        await sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(100), TracedSidecar.With(unsampled.TraceParent)).WaitAsync(Wait);
        var error = await Assert.ThrowsAsync<Gate.Client.RpcException>(() => sidecar.Gate.CheckAsync(new CheckRequest { Tool = "payments.refund" }, TracedSidecar.With(invalid.TraceParent))).WaitAsync(Wait);
        Assert.Equal(Gate.Client.StatusCode.InvalidArgument, error.Status);
        await sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(100), TracedSidecar.With(marker.TraceParent)).WaitAsync(Wait);

        // Spans end in order, so once the last call's spans are in, the earlier ones would be too.
        var spans = await sidecar.Receiver.WaitForSpansAsync(s => s.Count(x => x.TraceId == marker.TraceId) >= 3, Wait, "the marker call's spans");
        Assert.DoesNotContain(spans, s => s.TraceId == unsampled.TraceId);

        var server = Assert.Single(spans, s => s.TraceId == invalid.TraceId && s.Name == "gate.v1.Gate/Check");
        Assert.Equal("3", server["rpc.grpc.status_code"]);
        Assert.Equal(Status.Types.StatusCode.Unset, server.Span.Status?.Code ?? Status.Types.StatusCode.Unset);
        var guardrail = Assert.Single(spans, s => s.TraceId == invalid.TraceId && s.Name == "apply_guardrail");
        Assert.Equal("invalid_argument", guardrail["error.type"]);
        Assert.Equal(Status.Types.StatusCode.Error, guardrail.Span.Status.Code);

        var allowed = Assert.Single(spans, s => s.TraceId == marker.TraceId && s.Name == "apply_guardrail");
        Assert.Equal(("allow", "auto", "small-refund"), (allowed["gen_ai.security.decision.type"], allowed["gate.tier"], allowed["gate.rule"]));
    }

    [Fact]
    public async Task GrpcProtocol_ExportsSpansAndMetricsToTheGrpcEndpoint()
    {
        await using var sidecar = await TracedSidecar.StartAsync((env, receiver) =>
        {
            env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.GrpcEndpoint.ToString();
        });
        var caller = TracedSidecar.CallerContext();

        await sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(100), TracedSidecar.With(caller.TraceParent)).WaitAsync(Wait);

        var spans = await sidecar.Receiver.WaitForSpansAsync(s => s.Any(x => x.TraceId == caller.TraceId && x.Name == "gate.v1.Gate/Check"), Wait, "the Check span over gRPC");
        Assert.Equal(caller.SpanId, spans.Single(s => s.TraceId == caller.TraceId && s.Name == "gate.v1.Gate/Check").ParentSpanId);
        await sidecar.Receiver.WaitForMetricsAsync(m => m.Total("gate.decisions") >= 1, Wait, "gate.decisions over gRPC");
        Assert.All(sidecar.Receiver.Requests, r => Assert.StartsWith("grpc /opentelemetry.proto.collector.", r));
    }

    [Fact]
    public async Task UnreachableCollector_CallsStillSucceed()
    {
        // Port 1 on loopback: nothing listens, every export fails.
        await using var sidecar = await TracedSidecar.StartAsync((env, _) => env["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1");

        for (var i = 0; i < 20; i++)
        {
            var response = await sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(100)).WaitAsync(Wait);
            Assert.Equal(Verdict.Allow, response.Verdict);
            await Task.Delay(50);
        }

        Assert.Contains("exporting traces to http://127.0.0.1:1/v1/traces", sidecar.Process.StandardError);
    }

    private static void AssertNowhere(TracedSidecar sidecar, string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        var bodies = sidecar.Receiver.Bodies();
        Assert.NotEmpty(bodies);
        Assert.All(bodies, body => Assert.True(body.AsSpan().IndexOf(bytes) < 0, $"an exported body contains the redacted value {secret}"));
        Assert.DoesNotContain(secret, sidecar.Process.StandardError);
        Assert.DoesNotContain(secret, sidecar.Process.StandardOutput);
    }
}
