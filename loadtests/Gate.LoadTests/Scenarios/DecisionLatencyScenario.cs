using System.Globalization;
using Gate.Client;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Measurement;
using Gate.LoadTests.Reporting;
using Gate.V1;

namespace Gate.LoadTests.Scenarios;

/// <summary>
/// Durable approvals: how long a decision takes to reach the agent's <c>Guard</c> stream — from the
/// moment <c>Decide</c> is sent to the APPROVED event's arrival — within one sidecar, and (Redis)
/// across two sidecars: Guard held on A, decision taken on B.
/// </summary>
internal static class DecisionLatencyScenario
{
    public const string Policy = "approval";
    private const int Parallel = 16;

    public static async Task<ScenarioReport> RunAsync(Deployment deployment, ScenarioOptions options, ProgressDisplay progress, CancellationToken cancellationToken)
    {
        var store = options.Store == StoreKind.Redis ? "redis" : "sqlite";
        var across = deployment.Sidecars.Count >= 2;
        var report = new ScenarioReport
        {
            Scenario = "decision-latency-" + store,
            Title = across
                ? "Decision to Guard event: within one sidecar and across two sidecars on one Redis"
                : $"Decision to Guard event within one sidecar, {store} store",
            Deployment = deployment.Description,
        };
        report.Parameter("samples", options.Samples);
        report.Parameter("parallel agents", Parallel);
        report.Parameter("flow", across
            ? "Guard on A until PENDING; Decide(APPROVE) as alice on A (even samples) or on B (odd samples); time until APPROVED arrives on A's Guard stream"
            : "Guard until PENDING; Decide(APPROVE) as alice on the same sidecar; time until APPROVED arrives on the Guard stream");

        var calls = Calls.ForNewRun();
        var within = new LatencyHistogram();
        var crossed = new LatencyHistogram();
        var decide = new LatencyHistogram();
        var statuses = new StatusCounts();
        long next = -1, unexpected = 0;
        string? firstUnexpected = null;
        var started = MonotonicClock.NowNs();

        async Task Worker()
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= options.Samples)
                {
                    return;
                }

                var viaOther = across && i % 2 == 1;
                var holder = deployment[0];
                var decider = viaOther ? deployment[1] : deployment[0];
                var request = calls.Refund(i, 900 + (i % 5000));
                long decideSent = 0;
                long arrived = 0;
                Task? decision = null;
                ApprovalEvent? last = null;
                try
                {
                    await foreach (var evt in holder.Gate.Guard(request, CallOptions.WithTimeout(TimeSpan.FromSeconds(60))).ConfigureAwait(false))
                    {
                        last = evt;
                        if (evt.State == ApprovalState.Pending && decision is null)
                        {
                            // The decision runs beside the stream, so the event's arrival is timed as it happens.
                            decideSent = MonotonicClock.NowNs();
                            decision = DecideAsync(decider, evt.ApprovalId, decideSent, decide);
                        }
                        else if (evt.State == ApprovalState.Approved)
                        {
                            arrived = MonotonicClock.NowNs();
                        }
                    }

                    if (decision is not null)
                    {
                        await decision.ConfigureAwait(false);
                    }

                    statuses.Record(StatusCode.OK);
                    if (last?.State != ApprovalState.Approved || decideSent == 0)
                    {
                        if (Interlocked.Increment(ref unexpected) == 1)
                        {
                            firstUnexpected = $"{request.CallId}: Guard ended in {last?.State.ToString() ?? "no event"}";
                        }

                        continue;
                    }

                    (viaOther ? crossed : within).Record(arrived - decideSent);
                }
                catch (RpcException ex)
                {
                    statuses.RecordError(ex.Status, ex.Detail);
                }
            }
        }

        var work = Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => Task.Run(Worker, CancellationToken.None)));
        await progress.RunAsync(report.Scenario, () => $"samples {Math.Min(options.Samples, Interlocked.Read(ref next) + 1)} of {options.Samples}  errors {statuses.Errors}", work).ConfigureAwait(false);
        report.WallSeconds = (MonotonicClock.NowNs() - started) / 1e9;

        report.Latency("decision to Guard event, same sidecar", $"Decide sent to APPROVED on the Guard stream, both on one sidecar ({store})", within);
        if (across)
        {
            report.Latency("decision to Guard event, across sidecars", "Decide sent to sidecar B, Guard stream held on sidecar A (Redis pub/sub in between)", crossed);
        }

        report.Latency("Decide round trip", "Decide sent to answer", decide);
        report.Statuses = statuses.ToDictionary();
        report.ErrorSamples = statuses.Samples;
        report.Check("every sample answered OK and ended APPROVED", statuses.Errors == 0 && unexpected == 0 && within.Count + crossed.Count == options.Samples,
            $"{within.Count + crossed.Count} of {options.Samples} approved, {statuses.Errors} errors, {unexpected} unexpected{(firstUnexpected is null ? string.Empty : "; first: " + firstUnexpected)}");
        report.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"The Decide call and the Guard stream run in one driver process, so both ends use the same monotonic clock."));
        return report;
    }

    private static async Task DecideAsync(Sidecar decider, string approvalId, long sent, LatencyHistogram roundTrips)
    {
        await decider.As("alice").DecideAsync(new DecideRequest { ApprovalId = approvalId, Verdict = DecisionVerdict.Approve, Reason = "load" }, CallOptions.WithTimeout(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
        roundTrips.Record(MonotonicClock.NowNs() - sent);
    }
}
