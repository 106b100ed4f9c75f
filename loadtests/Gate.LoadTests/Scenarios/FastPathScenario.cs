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
        var calls = Calls.ForNewRun();
        using var tokens = await TokenSampler.CreateAsync(sidecar, options.TokenSampleEvery).ConfigureAwait(false);
        var stream = CallStream.Plan(deployment, options, "fast-path",
            $"Fast path, maximum throughput: {options.Concurrency} callers back to back",
            $"Fast path: auto-pass Check at {options.Rate:0} calls/s");
        var (closed, report) = (stream.Closed, stream.Report);
        report.Parameter("call", "gate.v1.Gate/Check, payments.refund amount 42..441 (rule small-refund, tier AUTO)");
        report.Parameter("token sample", $"1 in {options.TokenSampleEvery} verified offline");
        var recorder = stream.Recorder;
        var ledger = new IdLedger(stream.ScheduledCalls ?? (long)(stream.Span.TotalSeconds * 80_000));
        var samples = new ConcurrentQueue<(string Id, string CallId)>();
        var sampleEvery = Math.Max(1, (long)((closed ? 20_000 : options.Rate) * stream.Span.TotalSeconds / RecordSamples));
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

        var throughput = await stream.RunAsync(Call, "Check latency", progress, cancellationToken).ConfigureAwait(false);

        var ok = recorder.Statuses.Ok;
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
