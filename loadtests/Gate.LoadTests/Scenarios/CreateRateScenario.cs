using System.Globalization;
using Gate.Client;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Load;
using Gate.LoadTests.Measurement;
using Gate.LoadTests.Reporting;
using Gate.V1;

namespace Gate.LoadTests.Scenarios;

/// <summary>
/// Durable approvals: how many pending approvals a sidecar creates per second over gRPC (Check on a
/// gated call, closed loop), each one committed to the store with its audit entry before the answer.
/// </summary>
internal static class CreateRateScenario
{
    public const string Policy = "approval";

    public static async Task<ScenarioReport> RunAsync(Deployment deployment, ScenarioOptions options, ProgressDisplay progress, CancellationToken cancellationToken)
    {
        var sidecar = deployment[0];
        var store = options.Store == StoreKind.Redis ? "redis" : "sqlite";
        var report = new ScenarioReport
        {
            Scenario = "create-rate-" + store,
            Title = $"Pending-approval creation rate over gRPC, {store} store",
            Deployment = deployment.Description,
        };
        report.Parameter("mode", $"closed loop, {options.Concurrency} concurrent callers");
        report.Parameter("warm-up", options.Warmup);
        report.Parameter("measured", options.Duration);
        report.Parameter("call", "gate.v1.Gate/Check, payments.refund amount 900+ (rule large-refund, tier SINGLE): answered PENDING once the record and its audit entry are committed");

        var calls = Calls.ForNewRun();
        var recorder = new RunRecorder(MonotonicClock.NowNs(), MonotonicClock.FromTimeSpan(options.Warmup), options.Warmup + options.Duration);
        var ledger = new IdLedger((long)((options.Warmup + options.Duration).TotalSeconds * 50_000));
        long unexpected = 0;
        string? firstUnexpected = null;

        async Task Call(long i)
        {
            var request = calls.Refund(i, 900 + (i % 5000));
            var response = await sidecar.Gate.CheckAsync(request).ConfigureAwait(false);
            if (response.Verdict != Verdict.Pending || response.Approval is null)
            {
                if (Interlocked.Increment(ref unexpected) == 1)
                {
                    firstUnexpected = $"{request.CallId}: verdict {response.Verdict}, expected PENDING";
                }

                return;
            }

            ledger.Record(i, response.ApprovalId);
        }

        var cpu = CpuWindow.Begin(deployment.CpuMeter(), () => recorder.Completed, recorder.OriginNs + recorder.MeasureFromNs);
        var work = ClosedLoopRunner.RunAsync(options.Concurrency, options.Warmup, options.Duration, Call, recorder, cancellationToken);
        await progress.RunAsync(report.Scenario, RunProgress.Describe(recorder), work).ConfigureAwait(false);
        report.WallSeconds = (MonotonicClock.NowNs() - recorder.OriginNs) / 1e9;

        var rate = recorder.MeasuredCompleted / options.Duration.TotalSeconds;
        report.Figure("pending approvals created per second (measured window)", rate, "approvals/s");
        report.AddWindow(await cpu.EndAsync().ConfigureAwait(false), "approval");
        report.Latency("Check (pending) latency", "send to answer (closed loop: service time)", recorder.Latency);
        report.Statuses = recorder.Statuses.ToDictionary();
        report.ErrorSamples = recorder.Statuses.Samples;
        report.Series = recorder.Series.Points();
        report.SeriesTitle = "Check (pending) latency by send second";
        report.MeasureFromSeconds = options.Warmup.TotalSeconds;

        var ok = recorder.Statuses.Ok;
        report.Check("every call answered OK with PENDING", recorder.Statuses.Errors == 0 && unexpected == 0,
            $"{ok - unexpected} PENDING of {recorder.Sent}, {recorder.Statuses.Errors} errors, {unexpected} other answers{(firstUnexpected is null ? string.Empty : "; first: " + firstUnexpected)}");
        var (recorded, duplicates) = ledger.Count();
        report.Check("every call got its own approval", recorded == ok - unexpected && duplicates == 0, $"{recorded} ids for {ok - unexpected} calls, {duplicates} shared");
        await AuditCheck.AddAsync(report, sidecar, recorded).ConfigureAwait(false);
        report.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"Each answer waits for its record and audit entry to be durable in the store ({(options.Store == StoreKind.Redis ? "Redis with AOF" : "SQLite, synchronous=FULL, group commit")})."));
        return report;
    }
}
