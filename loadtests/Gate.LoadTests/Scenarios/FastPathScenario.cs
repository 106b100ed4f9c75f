using System.Collections.Concurrent;
using System.Globalization;
using Gate.Client;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Load;
using Gate.LoadTests.Measurement;
using Gate.LoadTests.Reporting;
using Gate.V1;

namespace Gate.LoadTests.Scenarios;

/// <summary>
/// (a) Fast path: auto-pass <c>Check</c> calls (small refunds) at a constant arrival rate, or
/// saturating the sidecar in closed-loop mode. Every call is recorded, audited and gets a signed token.
/// </summary>
internal static class FastPathScenario
{
    public const string Policy = "fast-path";
    private const int RecordSamples = 200;

    public static async Task<ScenarioReport> RunAsync(Deployment deployment, ScenarioOptions options, ProgressDisplay progress, CancellationToken cancellationToken)
    {
        var sidecar = deployment[0];
        var closed = options.Mode == "closed";
        var report = new ScenarioReport
        {
            Scenario = (closed ? "fast-path-max" : "fast-path") + (options.Store == StoreKind.Redis ? "-redis" : string.Empty),
            Title = closed
                ? $"Fast path, maximum throughput: {options.Concurrency} callers back to back"
                : $"Fast path: auto-pass Check at {options.Rate:0} calls/s",
            Deployment = deployment.Description,
        };
        report.Parameter("mode", closed ? $"closed loop, {options.Concurrency} concurrent callers" : "open loop, constant arrival rate");
        if (!closed)
        {
            report.Parameter("rate", $"{options.Rate:0} calls/s");
            report.Parameter("ramp", options.Ramp);
            report.Parameter("max in flight", options.MaxInFlight);
        }

        report.Parameter("warm-up", options.Warmup);
        report.Parameter("measured", options.Duration);
        report.Parameter("call", "gate.v1.Gate/Check, payments.refund amount 42..441 (rule small-refund, tier AUTO)");
        report.Parameter("token sample", $"1 in {options.TokenSampleEvery} verified offline");

        var calls = Calls.ForNewRun();
        using var tokens = await TokenSampler.CreateAsync(sidecar, options.TokenSampleEvery).ConfigureAwait(false);
        var schedule = closed ? null : new ArrivalSchedule(options.Rate, options.Ramp, options.Warmup, options.Duration);
        var span = closed ? options.Warmup + options.Duration : options.Ramp + options.Warmup + options.Duration;
        var measureFrom = closed ? MonotonicClock.FromTimeSpan(options.Warmup) : schedule!.MeasureFromNs;
        var recorder = new RunRecorder(MonotonicClock.NowNs() + 1_000_000, measureFrom, span);
        var ledger = new IdLedger(closed ? (long)(span.TotalSeconds * 80_000) : schedule!.TotalCalls);
        var samples = new ConcurrentQueue<(string Id, string CallId)>();
        var sampleEvery = Math.Max(1, (long)((closed ? 20_000 : options.Rate) * span.TotalSeconds / RecordSamples));
        long unexpected = 0;
        string? firstUnexpected = null;

        async Task Call(long i)
        {
            var request = calls.Refund(i, 42 + (i % 400));
            var response = await sidecar.Gate.CheckAsync(request).ConfigureAwait(false);
            if (response.Verdict != Verdict.Allow || response.Token.Length == 0 || response.ApprovalId.Length == 0)
            {
                if (Interlocked.Increment(ref unexpected) == 1)
                {
                    firstUnexpected = $"call {request.CallId}: verdict {response.Verdict}, tier {response.Tier}, rule '{response.Rule}', token {(response.Token.Length == 0 ? "missing" : "present")}";
                }

                return;
            }

            ledger.Record(i, response.ApprovalId);
            tokens.Offer(response.Token, request.Tool, request.Arguments);
            if (i % sampleEvery == 0)
            {
                samples.Enqueue((response.ApprovalId, request.CallId));
            }
        }

        var cpu = CpuWindow.Begin(deployment.CpuMeter(), () => recorder.Completed, recorder.OriginNs + measureFrom);
        var started = MonotonicClock.NowNs();
        var work = closed
            ? ClosedLoopRunner.RunAsync(options.Concurrency, options.Warmup, options.Duration, Call, recorder, cancellationToken)
            : OpenLoopRunner.RunAsync(schedule!, Call, options.MaxInFlight, recorder, options.DrainTimeout, cancellationToken);
        await progress.RunAsync(report.Scenario, RunProgress.Describe(recorder), work).ConfigureAwait(false);
        var elapsed = (MonotonicClock.NowNs() - started) / 1e9;

        var measuredSeconds = options.Duration.TotalSeconds;
        var throughput = recorder.MeasuredCompleted / measuredSeconds;
        report.Figure("calls sent", recorder.Sent, "calls");
        report.Figure("throughput (measured window)", throughput, "calls/s");
        if (!closed)
        {
            report.Figure("sends delayed by the in-flight cap", recorder.Capped, "calls");
        }

        report.AddWindow(await cpu.EndAsync().ConfigureAwait(false));
        report.Latency("Check latency", closed ? "send to answer (closed loop: service time)" : "due time to answer (open loop, includes any queueing)", recorder.Latency);
        if (!closed)
        {
            report.Latency("schedule lag", "actual send time minus due time (the driver's own pacing error, included above)", recorder.ScheduleLag);
        }

        report.Statuses = recorder.Statuses.ToDictionary();
        report.ErrorSamples = recorder.Statuses.Samples;
        report.Series = recorder.Series.Points();
        report.SeriesTitle = "Check latency by due second";
        report.MeasureFromSeconds = measureFrom / 1e9;
        report.WallSeconds = elapsed;

        var ok = recorder.Statuses.Ok;
        report.Check("every call answered OK", recorder.Statuses.Errors == 0 && recorder.Completed == recorder.Sent,
            $"{ok} OK of {recorder.Sent} sent, {recorder.Statuses.Errors} errors, {recorder.InFlight} unanswered");
        report.Check("every answer is ALLOW with a token", Interlocked.Read(ref unexpected) == 0,
            unexpected == 0 ? $"{ok - unexpected} ALLOW answers with a token" : $"{unexpected} unexpected answers; first: {firstUnexpected}");
        var (recorded, duplicates) = ledger.Count();
        report.Check("every call got its own record", recorded == ok - unexpected && duplicates == 0,
            $"{recorded} approval ids recorded for {ok - unexpected} allowed calls, {duplicates} shared");
        report.Check("sampled tokens verify offline (ES256, JWKS, exact arguments)",
            tokens.Unavailable is null && tokens.FailureCount == 0 && tokens.Verified > 0,
            tokens.Unavailable ?? (tokens.FailureCount == 0 ? $"{tokens.Verified} tokens verified" : $"{tokens.FailureCount} of {tokens.Verified} failed; first: {tokens.FirstFailure}"));
        await CheckRecordsAsync(report, sidecar, samples).ConfigureAwait(false);
        await AuditCheck.AddAsync(report, sidecar, ok).ConfigureAwait(false);

        var p99 = LatencySummary.Of(recorder.Latency).P99Ms;
        if (closed)
        {
            report.Target("(a) maximum throughput, records + audit + tokens on", "at least 25,000 calls/s",
                string.Create(CultureInfo.InvariantCulture, $"{throughput:0} calls/s"), throughput >= 25_000);
        }
        else
        {
            report.Target("(a) fast-path latency", "p99 under 1 ms at 5,000 calls/s",
                string.Create(CultureInfo.InvariantCulture, $"p99 {p99:0.###} ms at {options.Rate:0} calls/s"), p99 < 1.0 && options.Rate >= 5000);
        }

        return report;
    }

    private static async Task CheckRecordsAsync(ScenarioReport report, Sidecar sidecar, ConcurrentQueue<(string Id, string CallId)> samples)
    {
        var read = 0;
        var wrong = new List<string>();
        foreach (var (id, callId) in samples.Take(RecordSamples))
        {
            try
            {
                var approval = await sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }, CallOptions.WithTimeout(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
                read++;
                if (approval.State != ApprovalState.Allowed || approval.Request.CallId != callId)
                {
                    wrong.Add($"{id}: state {approval.State}, call {approval.Request.CallId}");
                }
            }
            catch (RpcException ex)
            {
                wrong.Add($"{id}: {ex.Message}");
            }
        }

        report.Check("sampled records read back as ALLOWED", read > 0 && wrong.Count == 0,
            wrong.Count == 0 ? $"{read} records read back" : $"{wrong.Count} wrong; first: {wrong[0]}");
    }
}
