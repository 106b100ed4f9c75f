using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Gate.Client;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Telemetry;
using GateSidecar.Tests.Approvals.Functional;
using GateSidecar.Tests.Approvers;
using GateSidecar.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Tests.Telemetry;

/// <summary>
/// <c>gate.decision.duration</c> when the store cannot take the decision: the refusal is measured
/// with <c>error.type=unavailable</c> (the export test covers the answered and the refused-as-late
/// series; this one the store outage, which the OTLP sidecar process cannot be made to have).
/// </summary>
public sealed class DecisionDurationTests
{
    [Fact]
    public async Task Decide_WhenTheStoreIsUnavailable_IsMeasuredWithErrorTypeUnavailable()
    {
        ObservedApprovalStore? store = null;
        await using var sidecar = await ApproverSidecar.StartAsync(wrapStore: inner => store = new ObservedApprovalStore(inner));
        var id = await sidecar.PendingAsync(ApproverSidecar.Refund(900));

        // Measurements of this process's Gate meter (shared by every in-process sidecar, so the
        // assertion looks for this test's combination: an edit refused as unavailable).
        var measured = new ConcurrentQueue<(string? Verdict, string? Error)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GateDiagnostics.Name && instrument.Name == "gate.decision.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            string? verdict = null, error = null;
            foreach (var tag in tags)
            {
                verdict = tag.Key == GateAttributes.DecisionVerdict ? tag.Value as string : verdict;
                error = tag.Key == GateAttributes.ErrorType ? tag.Value as string : error;
            }

            measured.Enqueue((verdict, error));
        });
        listener.Start();

        store!.BeforeUpdate = _ => throw new StoreUnavailableException("test: the store is down");
        var edit = new Struct { Fields = { ["amount"] = Value.ForNumber(800), ["customer_id"] = Value.ForString("c-42") } };
        var refused = await Assert.ThrowsAsync<RpcException>(() => sidecar.As("alice").DecideAsync(
            new DecideRequest { ApprovalId = id, Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edit }).WaitAsync(TestTimeouts.Default));
        Assert.Equal(StatusCode.Unavailable, refused.Status);

        Assert.Contains(("edit_and_approve", "unavailable"), measured);

        // Nothing changed: the store back, the same decision goes through and is measured without an error.
        store.BeforeUpdate = null;
        var approved = await sidecar.As("alice").DecideAsync(
            new DecideRequest { ApprovalId = id, Verdict = DecisionVerdict.EditAndApprove, EditedArguments = edit }).WaitAsync(TestTimeouts.Default);
        Assert.Equal(ApprovalState.Approved, approved.State);
        Assert.Contains(("edit_and_approve", (string?)null), measured);
    }
}
