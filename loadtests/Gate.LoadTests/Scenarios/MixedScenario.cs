using System.Globalization;
using Gate.Client;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Load;
using Gate.LoadTests.Measurement;
using Gate.LoadTests.Reporting;
using Gate.V1;

namespace Gate.LoadTests.Scenarios;

/// <summary>
/// (d) Mixed traffic on two sidecars sharing one Redis: 90 % auto-pass Check, 9 % single-approver
/// and 1 % quorum-of-two Guard calls, each sent to either sidecar; an approver bot streams pending
/// approvals from both and decides on either, so decisions and Guard streams cross sidecars.
/// </summary>
internal static class MixedScenario
{
    public const string Policy = "mixed";

    public static async Task<ScenarioReport> RunAsync(Deployment deployment, ScenarioOptions options, ProgressDisplay progress, CancellationToken cancellationToken)
    {
        if (deployment.Sidecars.Count < 2)
        {
            throw new ArgumentException("the mixed scenario needs two sidecars on one Redis");
        }

        var report = new ScenarioReport
        {
            Scenario = "mixed",
            Title = $"Mixed: 90 % auto, 9 % single, 1 % quorum at {options.Rate:0} calls/s on two sidecars sharing Redis",
            Deployment = deployment.Description,
        };
        report.Parameter("rate", $"{options.Rate:0} calls/s");
        report.Parameter("ramp", options.Ramp);
        report.Parameter("warm-up", options.Warmup);
        report.Parameter("measured", options.Duration);
        report.Parameter("think time", $"uniform {Cli.DurationParser.Format(options.ThinkMin)} to {Cli.DurationParser.Format(options.ThinkMax)} per decision");
        report.Parameter("calls", "Check payments.refund <= 500 (auto); Guard payments.refund > 500 (single, pool desk); Guard db.update of 120 ids (quorum 2, pool desk); each on sidecar A or B at random");
        report.Parameter("approver bot", "StreamPending(desk) as alice on A and as bob on B; Decide(APPROVE) by alice, bob or carol on A or B at random");

        var calls = Calls.ForNewRun();
        using var tokens = await TokenSampler.CreateAsync(deployment[0], Math.Max(1, options.TokenSampleEvery / 10)).ConfigureAwait(false);
        var thinkMin = options.ThinkMin.TotalSeconds;
        var thinkSpan = (options.ThinkMax - options.ThinkMin).TotalSeconds;
        await using var bot = new ApproverBot(deployment.Sidecars, ["alice", "bob", "carol"], "desk", () => TimeSpan.FromSeconds(thinkMin + (Random.Shared.NextDouble() * thinkSpan)), options.BotStreamDelay);
        await bot.StartAsync(i => calls.Refund(i, 900), TimeSpan.FromSeconds(30)).ConfigureAwait(false);

        var schedule = new ArrivalSchedule(options.Rate, options.Ramp, options.Warmup, options.Duration);
        var recorder = new RunRecorder(MonotonicClock.NowNs() + 1_000_000, schedule.MeasureFromNs, options.Ramp + options.Warmup + options.Duration + TimeSpan.FromSeconds(10));
        bot.MeasureFromNs = recorder.OriginNs + schedule.MeasureFromNs;
        var autoLatency = new LatencyHistogram();
        var gatedDecision = new LatencyHistogram();
        var decisionToAgent = new LatencyHistogram();
        var crossDecisionToAgent = new LatencyHistogram();
        long auto = 0, single = 0, quorum = 0, approved = 0, unexpected = 0, cross = 0;
        string? firstUnexpected = null;

        void Unexpected(string what)
        {
            if (Interlocked.Increment(ref unexpected) == 1)
            {
                firstUnexpected = what;
            }
        }

        async Task Call(long i)
        {
            var sidecar = deployment[(int)((i * 2654435761L >> 7) & 1)];
            var kind = (int)((i * 7919) % 100);
            var due = recorder.OriginNs + schedule.OffsetNs(i);
            if (kind < 90)
            {
                Interlocked.Increment(ref auto);
                var request = calls.Refund(i, 10 + (i % 490));
                var response = await sidecar.Gate.CheckAsync(request).ConfigureAwait(false);
                if (response.Verdict != Verdict.Allow || response.Token.Length == 0)
                {
                    Unexpected($"{request.CallId} on {sidecar.Name}: verdict {response.Verdict}, expected ALLOW with a token");
                    return;
                }

                tokens.Offer(response.Token, request.Tool, request.Arguments);
                if (recorder.IsMeasured(due))
                {
                    autoLatency.Record(MonotonicClock.NowNs() - due);
                }

                return;
            }

            var gated = kind < 99 ? calls.Refund(i, 600 + (i % 5000)) : calls.BulkUpdate(i);
            Interlocked.Increment(ref kind < 99 ? ref single : ref quorum);
            ApprovalEvent? last = null;
            long ended = 0;
            await foreach (var evt in sidecar.Gate.Guard(gated, CallOptions.WithTimeout(TimeSpan.FromMinutes(2))).ConfigureAwait(false))
            {
                last = evt;
                ended = MonotonicClock.NowNs();
            }

            if (last?.State != ApprovalState.Approved)
            {
                Unexpected($"{gated.CallId} on {sidecar.Name}: Guard ended in {last?.State.ToString() ?? "no event"}, expected APPROVED");
                return;
            }

            Interlocked.Increment(ref approved);
            tokens.Offer(last.Approval);
            if (!recorder.IsMeasured(due))
            {
                return;
            }

            gatedDecision.Record(ended - due);
            if (bot.Find(last.ApprovalId) is { LastDecideSentNs: > 0 } decision)
            {
                decisionToAgent.Record(ended - decision.LastDecideSentNs);
                if (decision.LastDecidedVia != sidecar.Name)
                {
                    Interlocked.Increment(ref cross);
                    crossDecisionToAgent.Record(ended - decision.LastDecideSentNs);
                }
            }
        }

        var cpu = CpuWindow.Begin(deployment.CpuMeter(), () => recorder.Completed, recorder.OriginNs + schedule.MeasureFromNs);
        var work = OpenLoopRunner.RunAsync(schedule, Call, options.MaxInFlight, recorder, TimeSpan.FromSeconds(60), cancellationToken);
        await progress.RunAsync("mixed", RunProgress.Describe(recorder), work).ConfigureAwait(false);
        var cpuPerCall = await cpu.EndAsync().ConfigureAwait(false);
        await bot.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        report.WallSeconds = (MonotonicClock.NowNs() - recorder.OriginNs) / 1e9;

        report.Figure("calls", recorder.Sent, "calls");
        report.Figure("auto calls (Check)", auto, "calls");
        report.Figure("single-approver calls (Guard)", single, "calls");
        report.Figure("quorum calls (Guard)", quorum, "calls");
        report.Figure("decisions on sidecar A", bot.DecidedOn(0), "decisions");
        report.Figure("decisions on sidecar B", bot.DecidedOn(1), "decisions");
        report.Figure("Guard streams decided through the other sidecar (measured)", Interlocked.Read(ref cross), "approvals");
        report.AddWindow(cpuPerCall);
        report.Latency("auto Check", "due time to ALLOW", autoLatency);
        report.Latency("gated time to decision", "due time to APPROVED on Guard (think time included)", gatedDecision);
        report.Latency("decision to Guard event", "last Decide sent to APPROVED on the agent's Guard stream, either sidecar", decisionToAgent);
        report.Latency("decision to Guard event, across sidecars", "Decide sent to one sidecar, Guard held on the other (Redis pub/sub in between)", crossDecisionToAgent);
        report.Latency("Decide round trip", "bot: Decide sent to answer (Decide calls sent in the measured window)", bot.DecideLatency);
        report.Statuses = recorder.Statuses.ToDictionary();
        report.ErrorSamples = [.. recorder.Statuses.Samples, .. bot.DecideStatuses.Samples];
        report.Series = recorder.Series.Points();
        report.SeriesTitle = "All calls by due second (p50: auto Check; p99 and max: gated calls waiting for the bot)";
        report.MeasureFromSeconds = schedule.MeasureFromNs / 1e9;

        var errors = recorder.Statuses.Errors + bot.DecideStatuses.Errors;
        report.Check("zero errors: every call and every decision answered OK", errors == 0 && recorder.Completed == recorder.Sent && bot.StreamFailures == 0,
            $"{recorder.Statuses.Errors} call errors, {bot.DecideStatuses.Errors} decision errors, {recorder.InFlight} unanswered, {bot.StreamFailures} stream failures{(bot.FirstStreamFailure is null ? string.Empty : ": " + bot.FirstStreamFailure)}");
        report.Check("every auto call ALLOWED, every gated call APPROVED", Interlocked.Read(ref unexpected) == 0 && approved == single + quorum,
            $"{approved} of {single + quorum} gated calls APPROVED, {unexpected} unexpected{(firstUnexpected is null ? string.Empty : "; first: " + firstUnexpected)}");
        var expectedDecisions = single + (2 * quorum) + bot.ProbesCreated;
        report.Check("each approval decided once per approver, quorum by two", bot.DecideStatuses.Ok == expectedDecisions,
            $"{bot.DecideStatuses.Ok} decisions applied, {expectedDecisions} expected ({single} single + 2 x {quorum} quorum + {bot.ProbesCreated} probes)");
        report.Check("decisions taken on both sidecars reach Guard streams on the other", bot.DecidedOn(0) > 0 && bot.DecidedOn(1) > 0 && (Interlocked.Read(ref cross) > 0 || single + quorum < 20),
            $"{bot.DecidedOn(0)} decisions on A, {bot.DecidedOn(1)} on B, {cross} measured Guard streams decided through the other sidecar");
        report.Check("sampled tokens verify offline (ES256, JWKS, exact arguments)", tokens.Unavailable is null && tokens.FailureCount == 0 && tokens.Verified > 0,
            tokens.Unavailable ?? (tokens.FailureCount == 0 ? $"{tokens.Verified} tokens verified" : $"{tokens.FailureCount} of {tokens.Verified} failed; first: {tokens.FirstFailure}"));
        var left = await PendingCount.CountAsync(deployment[1].As("carol"), "desk").ConfigureAwait(false);
        report.Check("none lost: no approval left pending", left == 0, $"ListPending(desk) on B holds {left} approvals after the run");
        await AuditCheck.AddAsync(report, deployment[0], auto + (2 * (single + quorum))).ConfigureAwait(false);

        var ok = errors == 0 && unexpected == 0 && left == 0;
        report.Target("(d) mixed on two sidecars + Redis", "zero errors, zero lost",
            string.Create(CultureInfo.InvariantCulture, $"{errors} errors, {unexpected} unexpected endings, {left} left pending of {recorder.Sent} calls"), ok);
        return report;
    }
}
