using System.Globalization;
using Gate.Client;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Measurement;
using Gate.LoadTests.Reporting;
using Gate.V1;

namespace Gate.LoadTests.Scenarios;

/// <summary>
/// (b) Approval fast path: N agents each hold a <c>Guard</c> stream on a gated call while an
/// approver bot (StreamPending + Decide, bearer token of a pool member) approves each one after a
/// think time. Reports the agent-observed time to decision and Gate's own share of it: the time to
/// get the pending approval to the approver plus the time to get the decision back to the agent.
/// </summary>
internal static class ApprovalScenario
{
    public const string Policy = "approval";

    public static async Task<ScenarioReport> RunAsync(Deployment deployment, ScenarioOptions options, ProgressDisplay progress, CancellationToken cancellationToken)
    {
        var sidecar = deployment[0];
        var report = new ScenarioReport
        {
            Scenario = "approval",
            Title = $"Approval fast path: {options.Agents} agents on Guard, one approver bot",
            Deployment = deployment.Description,
        };
        report.Parameter("agents (concurrent Guard streams)", options.Agents);
        report.Parameter("measured", options.Duration);
        report.Parameter("warm-up", options.Warmup);
        report.Parameter("think time", $"uniform {DurationText(options.ThinkMin)} to {DurationText(options.ThinkMax)}, drawn per approval");
        report.Parameter("call", "gate.v1.Gate/Guard, payments.refund amount 900+ (rule large-refund, tier SINGLE, pool desk)");
        report.Parameter("approver bot", "alice: Approvals/StreamPending(pool desk) + Approvals/Decide(APPROVE)");

        var calls = Calls.ForNewRun();
        using var tokens = await TokenSampler.CreateAsync(sidecar, Math.Max(1, options.TokenSampleEvery / 10)).ConfigureAwait(false);
        var thinkMin = options.ThinkMin.TotalSeconds;
        var thinkSpan = (options.ThinkMax - options.ThinkMin).TotalSeconds;
        await using var bot = new ApproverBot([sidecar], ["alice"], "desk", () => TimeSpan.FromSeconds(thinkMin + (Random.Shared.NextDouble() * thinkSpan)), options.BotStreamDelay);
        await bot.StartAsync(i => calls.Refund(i, 900), TimeSpan.FromSeconds(30)).ConfigureAwait(false);

        var metrics = new AgentMetrics();
        var origin = MonotonicClock.NowNs();
        var measureFrom = origin + MonotonicClock.FromTimeSpan(options.Warmup);
        var stopAt = measureFrom + MonotonicClock.FromTimeSpan(options.Duration);
        bot.MeasureFromNs = measureFrom;
        var series = new TimeSeries(origin, TimeSpan.FromSeconds(1), options.Warmup + options.Duration + TimeSpan.FromSeconds(10));
        long sequence = 0;

        async Task AgentAsync(int agent)
        {
            // Spread the first calls over a second so the agents do not move in lockstep.
            await Task.Delay(Random.Shared.Next(1000), CancellationToken.None).ConfigureAwait(false);
            while (MonotonicClock.NowNs() < stopAt && !cancellationToken.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref sequence);
                var request = calls.Refund(i, 900 + (i % 5000), agent);
                var started = MonotonicClock.NowNs();
                var outcome = await GuardUntilDecidedAsync(sidecar, request, metrics).ConfigureAwait(false);
                var ended = outcome.FinalAtNs > 0 ? outcome.FinalAtNs : MonotonicClock.NowNs();
                metrics.Statuses.Record(outcome.Code, outcome.Detail);
                series.Record(started, ended - started, outcome.Code == StatusCode.OK && outcome.Final is not null);
                if (outcome.Final is not { } final)
                {
                    continue;
                }

                tokens.Offer(final.Approval);
                var decision = bot.Find(final.ApprovalId);
                if (decision is null || started < measureFrom)
                {
                    continue;
                }

                metrics.TimeToDecision.Record(ended - started);
                metrics.Overhead.Record(ended - started - decision.ThinkNs);
                metrics.ToApprover.Record(decision.FirstSeenNs - started);
                metrics.DecisionToAgent.Record(ended - decision.LastDecideSentNs);
                metrics.Think.Record(decision.ThinkNs);
            }
        }

        var cpu = CpuWindow.Begin(deployment.CpuMeter(), () => metrics.Approved, measureFrom);
        var agents = Enumerable.Range(0, options.Agents).Select(a => Task.Run(() => AgentAsync(a), CancellationToken.None)).ToArray();
        var all = Task.WhenAll(agents);
        await progress.RunAsync("approval", () => string.Create(CultureInfo.InvariantCulture,
            $"calls {Interlocked.Read(ref sequence)}  approved {metrics.Approved}  pending now {metrics.PendingNow} (max {metrics.MaxPending})  errors {metrics.Statuses.Errors}  ttd p99 {metrics.TimeToDecision.ValueAtQuantile(0.99) / 1e6:0} ms"), all).ConfigureAwait(false);
        var cpuPerApproval = await cpu.EndAsync().ConfigureAwait(false);
        await bot.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        report.WallSeconds = (MonotonicClock.NowNs() - origin) / 1e9;

        var started = Interlocked.Read(ref sequence);
        report.Figure("Guard calls", started, "calls");
        report.Figure("approved (measured window)", metrics.TimeToDecision.Count, "approvals");
        report.Figure("approvals per second (measured window)", metrics.TimeToDecision.Count / options.Duration.TotalSeconds, "approvals/s");
        report.Figure("most approvals pending at once", metrics.MaxPending, "approvals");
        report.AddWindow(cpuPerApproval, "approval");
        report.Latency("time to decision", "agent: Guard sent to APPROVED event received (think time included)", metrics.TimeToDecision);
        report.Latency("Gate overhead", "time to decision minus the bot's think time: Guard to pending event at the bot, plus Decide sent to APPROVED at the agent", metrics.Overhead);
        report.Latency("pending to approver", "Guard sent to the approval's event arriving on the bot's StreamPending", metrics.ToApprover);
        report.Latency("decision to agent", "Decide sent to the APPROVED event arriving on the agent's Guard stream", metrics.DecisionToAgent);
        report.Latency("Decide round trip", "bot: Decide sent to answer (Decide calls sent in the measured window)", bot.DecideLatency);
        report.Latency("think time", "bot: approval seen to Decide sent (drawn, as slept)", metrics.Think);
        report.Statuses = metrics.Statuses.ToDictionary();
        report.ErrorSamples = [.. metrics.Statuses.Samples, .. bot.DecideStatuses.Samples];
        report.Series = series.Points();
        report.SeriesTitle = "Time to decision by start second";
        report.MeasureFromSeconds = options.Warmup.TotalSeconds;

        var approved = metrics.Approved;
        report.Check("every Guard call answered OK and ended APPROVED", metrics.Statuses.Errors == 0 && metrics.Unexpected == 0 && approved == started,
            $"{approved} APPROVED of {started} calls, {metrics.Statuses.Errors} errors, {metrics.Unexpected} other endings{(metrics.FirstUnexpected is null ? string.Empty : "; first: " + metrics.FirstUnexpected)}");
        var decided = bot.DecideStatuses.Ok;
        report.Check("every pending approval decided exactly once, by the bot", bot.DecideStatuses.Errors == 0 && bot.StreamFailures == 0 && decided == approved + bot.ProbesCreated,
            $"{decided} Decide calls OK for {approved} approvals + {bot.ProbesCreated} probe(s), {bot.DecideStatuses.Errors} refused, {bot.StreamFailures} stream failures{(bot.FirstStreamFailure is null ? string.Empty : ": " + bot.FirstStreamFailure)}");
        report.Check("sampled tokens verify offline (ES256, JWKS, exact arguments)", tokens.Unavailable is null && tokens.FailureCount == 0 && tokens.Verified > 0,
            tokens.Unavailable ?? (tokens.FailureCount == 0 ? $"{tokens.Verified} tokens verified" : $"{tokens.FailureCount} of {tokens.Verified} failed; first: {tokens.FirstFailure}"));
        var left = await PendingCount.CountAsync(sidecar.As("bob"), "desk").ConfigureAwait(false);
        report.Check("no approval left pending", left == 0, $"ListPending(desk) holds {left} approvals after the run");
        await AuditCheck.AddAsync(report, sidecar, 2 * approved).ConfigureAwait(false);

        var ttd = LatencySummary.Of(metrics.TimeToDecision);
        var overhead = LatencySummary.Of(metrics.Overhead);
        report.Target("(b) time to decision", "p99 under 3 s with 1,000 concurrent pending approvals",
            string.Create(CultureInfo.InvariantCulture, $"p99 {ttd.P99Ms / 1000:0.###} s, {metrics.MaxPending} pending at most"), ttd.P99Ms < 3000 && metrics.MaxPending >= 1000);
        report.Target("(b) Gate overhead", "p99 under 20 ms", string.Create(CultureInfo.InvariantCulture, $"p99 {overhead.P99Ms:0.##} ms"), overhead.P99Ms < 20 && metrics.MaxPending >= 1000);
        return report;
    }

    private static async Task<GuardOutcome> GuardUntilDecidedAsync(Sidecar sidecar, CheckRequest request, AgentMetrics metrics)
    {
        var pending = false;
        try
        {
            ApprovalEvent? last = null;
            long lastAt = 0;
            await foreach (var evt in sidecar.Gate.Guard(request, CallOptions.WithTimeout(TimeSpan.FromMinutes(2))).ConfigureAwait(false))
            {
                lastAt = MonotonicClock.NowNs();
                if (last is null)
                {
                    if (evt.State != ApprovalState.Pending)
                    {
                        metrics.OnUnexpected($"call {request.CallId}: first event {evt.State}, expected PENDING");
                    }
                    else
                    {
                        pending = true;
                        metrics.OnPending();
                    }
                }

                last = evt;
            }

            if (pending)
            {
                metrics.OnLeftPending();
                pending = false;
            }

            if (last?.State == ApprovalState.Approved)
            {
                metrics.OnApproved();
                return new GuardOutcome(StatusCode.OK, null, last, lastAt);
            }

            metrics.OnUnexpected($"call {request.CallId}: Guard ended in {last?.State.ToString() ?? "no event"}, expected APPROVED");
            return new GuardOutcome(StatusCode.OK, null, null, 0);
        }
        catch (RpcException ex)
        {
            if (pending)
            {
                metrics.OnLeftPending();
            }

            return new GuardOutcome(ex.Status, ex.Detail, null, 0);
        }
    }

    private static string DurationText(TimeSpan span) => Cli.DurationParser.Format(span);

    /// <summary>How a Guard call ended; <c>FinalAtNs</c> is when its last event arrived.</summary>
    private readonly record struct GuardOutcome(StatusCode Code, string? Detail, ApprovalEvent? Final, long FinalAtNs);

    private sealed class AgentMetrics
    {
        private long _pendingNow;
        private long _maxPending;
        private long _approved;
        private long _unexpected;

        public LatencyHistogram TimeToDecision { get; } = new();

        public LatencyHistogram Overhead { get; } = new();

        public LatencyHistogram ToApprover { get; } = new();

        public LatencyHistogram DecisionToAgent { get; } = new();

        public LatencyHistogram Think { get; } = new();

        public StatusCounts Statuses { get; } = new();

        public long PendingNow => Interlocked.Read(ref _pendingNow);

        public long MaxPending => Interlocked.Read(ref _maxPending);

        public long Approved => Interlocked.Read(ref _approved);

        public long Unexpected => Interlocked.Read(ref _unexpected);

        public string? FirstUnexpected { get; private set; }

        public void OnPending()
        {
            var now = Interlocked.Increment(ref _pendingNow);
            var max = Interlocked.Read(ref _maxPending);
            while (now > max && Interlocked.CompareExchange(ref _maxPending, now, max) != max)
            {
                max = Interlocked.Read(ref _maxPending);
            }
        }

        public void OnLeftPending() => Interlocked.Decrement(ref _pendingNow);

        public void OnApproved() => Interlocked.Increment(ref _approved);

        public void OnUnexpected(string what)
        {
            if (Interlocked.Increment(ref _unexpected) == 1)
            {
                FirstUnexpected = what;
            }
        }
    }
}
