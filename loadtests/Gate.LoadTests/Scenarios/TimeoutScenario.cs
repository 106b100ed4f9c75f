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
/// (c) Timeout fallback: nobody decides. The deadline index is first filled with long-deadline
/// approvals, then gated calls with 1–2 s deadlines arrive at a constant rate, each followed on its
/// Guard stream until it expires (on_timeout deny) or escalates. Reports how late each fallback
/// fired after its deadline and proves that every call reached EXPIRED or ESCALATED.
/// </summary>
internal static class TimeoutScenario
{
    public const string Policy = "timeout";

    private static readonly (string Tool, ApprovalState Expected)[] Tools =
    [
        ("load.deny_1000ms", ApprovalState.Expired),
        ("load.deny_1250ms", ApprovalState.Expired),
        ("load.deny_1500ms", ApprovalState.Expired),
        ("load.deny_1750ms", ApprovalState.Expired),
        ("load.deny_2000ms", ApprovalState.Expired),
        ("load.escalate_1000ms", ApprovalState.Escalated),
        ("load.escalate_2000ms", ApprovalState.Escalated),
    ];

    public static async Task<ScenarioReport> RunAsync(Deployment deployment, ScenarioOptions options, ProgressDisplay progress, CancellationToken cancellationToken)
    {
        var sidecar = deployment[0];
        var report = new ScenarioReport
        {
            Scenario = "timeout" + (options.Store == StoreKind.Redis ? "-redis" : string.Empty),
            Title = $"Timeout fallback: 1-2 s deadlines at {options.Rate:0} calls/s beside {options.BackgroundPending:N0} pending deadlines",
            Deployment = deployment.Description,
        };
        report.Parameter("background pending approvals (deadline 1 h)", options.BackgroundPending);
        report.Parameter("rate", $"{options.Rate:0} calls/s");
        report.Parameter("ramp", options.Ramp);
        report.Parameter("warm-up", options.Warmup);
        report.Parameter("measured", options.Duration);
        report.Parameter("calls", "gate.v1.Gate/Guard on load.deny_{1000,1250,1500,1750,2000}ms (EXPIRED) and load.escalate_{1000,2000}ms (ESCALATED), in turn; nobody decides");

        var calls = Calls.ForNewRun();
        var wall = MonotonicClock.NowNs();
        var background = await CreateBackgroundAsync(sidecar, calls, options.BackgroundPending, progress, cancellationToken).ConfigureAwait(false);
        report.Figure("background approvals created", background.Created, "approvals");
        report.Figure("background creation rate", background.Created / Math.Max(1e-9, background.Seconds), "approvals/s");

        var schedule = new ArrivalSchedule(options.Rate, options.Ramp, options.Warmup, options.Duration);
        var recorder = new RunRecorder(MonotonicClock.NowNs() + 1_000_000, schedule.MeasureFromNs, options.Ramp + options.Warmup + options.Duration + TimeSpan.FromSeconds(5));
        var outcomes = new ConcurrentDictionary<string, ApprovalState>(StringComparer.Ordinal);
        var serverLateness = new LatencyHistogram();
        var latenessSeries = new TimeSeries(recorder.OriginNs, TimeSpan.FromSeconds(1), options.Ramp + options.Warmup + options.Duration + TimeSpan.FromSeconds(5));
        var agentLateness = new LatencyHistogram();
        long early = 0, unexpected = 0, pendingNow = 0, maxPending = 0;
        string? firstUnexpected = null;
        string? firstEarly = null;

        void Unexpected(string what)
        {
            if (Interlocked.Increment(ref unexpected) == 1)
            {
                firstUnexpected = what;
            }
        }

        async Task Call(long i)
        {
            var (tool, expected) = Tools[i % Tools.Length];
            var request = calls.Tool(i, tool);
            var due = recorder.OriginNs + schedule.OffsetNs(i);
            var counted = false;
            try
            {
                ApprovalEvent? first = null;
                await foreach (var evt in sidecar.Gate.Guard(request, CallOptions.WithTimeout(TimeSpan.FromSeconds(60))).ConfigureAwait(false))
                {
                    var receivedAt = DateTimeOffset.UtcNow;
                    if (first is null)
                    {
                        first = evt;
                        outcomes[evt.ApprovalId] = expected;
                        if (evt.State != ApprovalState.Pending)
                        {
                            Unexpected($"{request.CallId}: first event {evt.State}, expected PENDING");
                            return;
                        }

                        counted = true;
                        var now = Interlocked.Increment(ref pendingNow);
                        for (var max = Interlocked.Read(ref maxPending); now > max && Interlocked.CompareExchange(ref maxPending, now, max) != max; max = Interlocked.Read(ref maxPending))
                        {
                        }

                        continue;
                    }

                    if (evt.State is ApprovalState.Pending)
                    {
                        continue;
                    }

                    var deadline = first.Approval.Deadline.ToDateTimeOffset();
                    var late = evt.At.ToDateTimeOffset() - deadline;

                    // Event times are written with millisecond resolution: early means before the deadline's millisecond.
                    if (evt.At.ToDateTimeOffset() < DateTimeOffset.FromUnixTimeMilliseconds(deadline.ToUnixTimeMilliseconds()))
                    {
                        if (Interlocked.Increment(ref early) == 1)
                        {
                            firstEarly = $"{evt.ApprovalId}: {evt.State} at {evt.At.ToDateTimeOffset():O}, deadline {deadline:O}";
                        }
                    }

                    latenessSeries.Record(due, MonotonicClock.FromTimeSpan(late), evt.State == expected);
                    if (recorder.IsMeasured(due))
                    {
                        serverLateness.Record(MonotonicClock.FromTimeSpan(late));
                        agentLateness.Record(MonotonicClock.FromTimeSpan(receivedAt - deadline));
                    }

                    if (evt.State != expected)
                    {
                        Unexpected($"{request.CallId} ({tool}): {evt.State}, expected {expected}");
                    }

                    // ESCALATED is still pending: the agent stops following it here.
                    return;
                }

                Unexpected($"{request.CallId} ({tool}): the Guard stream ended in {first?.State.ToString() ?? "no event"} before the deadline applied");
            }
            finally
            {
                if (counted)
                {
                    Interlocked.Decrement(ref pendingNow);
                }
            }
        }

        var cpu = CpuWindow.Begin(deployment.CpuMeter(), () => recorder.Completed, recorder.OriginNs + schedule.MeasureFromNs);
        var work = OpenLoopRunner.RunAsync(schedule, Call, options.MaxInFlight, recorder, TimeSpan.FromSeconds(30), cancellationToken);
        await progress.RunAsync(report.Scenario, () => string.Create(CultureInfo.InvariantCulture,
            $"sent {recorder.Sent}  ended {recorder.Completed}  waiting {Interlocked.Read(ref pendingNow)}  errors {recorder.Statuses.Errors}  late p99 {serverLateness.ValueAtQuantile(0.99) / 1e6:0.#} ms"), work).ConfigureAwait(false);

        var cpuPerCall = await cpu.EndAsync().ConfigureAwait(false);
        var (verified, wrong, firstWrong) = await VerifyStatesAsync(sidecar, outcomes).ConfigureAwait(false);
        report.WallSeconds = (MonotonicClock.NowNs() - wall) / 1e9;

        report.Figure("calls", recorder.Sent, "calls");
        report.Figure("most short deadlines pending at once", Interlocked.Read(ref maxPending), "approvals");
        report.Figure("most deadlines in the index at once", background.Created + Interlocked.Read(ref maxPending), "approvals");
        report.AddWindow(cpuPerCall);
        report.Latency("fallback lateness (server)", "the EXPIRED/ESCALATED event's time (written by the sidecar, millisecond resolution) minus the approval's deadline", serverLateness);
        report.Latency("fallback lateness (agent)", "the agent's clock when the event arrived on Guard minus the approval's deadline", agentLateness);
        report.Latency("Guard to fallback", "due time to the fallback event at the agent (deadline included)", recorder.Latency);
        report.Statuses = recorder.Statuses.ToDictionary();
        report.ErrorSamples = recorder.Statuses.Samples;
        report.Series = latenessSeries.Points();
        report.SeriesTitle = "Fallback lateness (event time minus deadline, server clock) by due second";
        report.MeasureFromSeconds = schedule.MeasureFromNs / 1e9;

        report.Check("background approvals created PENDING", background.Errors == 0 && background.Created == options.BackgroundPending,
            $"{background.Created} of {options.BackgroundPending} created{(background.FirstError is null ? string.Empty : "; first problem: " + background.FirstError)}");
        report.Check("every Guard call answered OK and reached EXPIRED or ESCALATED as its rule says",
            recorder.Statuses.Errors == 0 && recorder.Completed == recorder.Sent && Interlocked.Read(ref unexpected) == 0,
            $"{recorder.Statuses.Ok} of {recorder.Sent} streams ended as expected, {recorder.Statuses.Errors} errors, {recorder.InFlight} unanswered, {unexpected} unexpected{(firstUnexpected is null ? string.Empty : "; first: " + firstUnexpected)}");
        report.Check("no fallback fired before its deadline", Interlocked.Read(ref early) == 0,
            early == 0 ? $"{serverLateness.Count} measured fallbacks, none early" : $"{early} early; first: {firstEarly}");
        report.Check("none lost: every approval is EXPIRED or ESCALATED in the store", verified == recorder.Sent && wrong == 0,
            $"{verified} of {recorder.Sent} read back in their expected state{(wrong == 0 ? string.Empty : $", {wrong} not; first: {firstWrong}")}");
        var left = await PendingCount.CountAsync(sidecar.As("alice"), "desk").ConfigureAwait(false);
        report.Check("only the background approvals are still pending in desk", left == background.Created,
            $"ListPending(desk) holds {left}, background {background.Created}");
        await AuditCheck.AddAsync(report, sidecar, background.Created + (2 * recorder.Sent)).ConfigureAwait(false);

        var lateness = LatencySummary.Of(serverLateness);
        var indexed = background.Created + Interlocked.Read(ref maxPending);
        report.Target("(c) fallback lateness", "p99 under 100 ms with 10,000 pending deadlines, zero lost",
            string.Create(CultureInfo.InvariantCulture, $"p99 {lateness.P99Ms:0.#} ms with {indexed:N0} deadlines pending, {recorder.Sent - verified} lost"),
            lateness.P99Ms < 100 && indexed >= 10_000 && verified == recorder.Sent);
        return report;
    }

    private static async Task<BackgroundResult> CreateBackgroundAsync(Sidecar sidecar, Calls calls, int count, ProgressDisplay progress, CancellationToken cancellationToken)
    {
        long created = 0, errors = 0, next = -1;
        string? firstError = null;
        var started = MonotonicClock.NowNs();

        async Task Worker()
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= count)
                {
                    return;
                }

                try
                {
                    var response = await sidecar.Gate.CheckAsync(calls.Tool(1_000_000_000 + i, "load.background"), CallOptions.WithTimeout(TimeSpan.FromSeconds(60))).ConfigureAwait(false);
                    if (response.Verdict == Verdict.Pending)
                    {
                        Interlocked.Increment(ref created);
                        continue;
                    }

                    if (Interlocked.Increment(ref errors) == 1)
                    {
                        firstError = $"verdict {response.Verdict}, expected PENDING";
                    }
                }
                catch (RpcException ex)
                {
                    if (Interlocked.Increment(ref errors) == 1)
                    {
                        firstError = ex.Message;
                    }
                }
            }
        }

        var work = Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(Worker, CancellationToken.None)));
        await progress.RunAsync("timeout background", () => $"created {Interlocked.Read(ref created)} of {count}", work).ConfigureAwait(false);
        return new BackgroundResult(created, errors, firstError, (MonotonicClock.NowNs() - started) / 1e9);
    }

    private static async Task<(long Verified, long Wrong, string? FirstWrong)> VerifyStatesAsync(Sidecar sidecar, ConcurrentDictionary<string, ApprovalState> outcomes)
    {
        long verified = 0, wrong = 0;
        string? firstWrong = null;
        var queue = new ConcurrentQueue<KeyValuePair<string, ApprovalState>>(outcomes);

        async Task Worker()
        {
            while (queue.TryDequeue(out var entry))
            {
                try
                {
                    var approval = await sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = entry.Key }, CallOptions.WithTimeout(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
                    if (approval.State == entry.Value)
                    {
                        Interlocked.Increment(ref verified);
                        continue;
                    }

                    if (Interlocked.Increment(ref wrong) == 1)
                    {
                        firstWrong = $"{entry.Key}: {approval.State}, expected {entry.Value}";
                    }
                }
                catch (RpcException ex)
                {
                    if (Interlocked.Increment(ref wrong) == 1)
                    {
                        firstWrong = $"{entry.Key}: {ex.Message}";
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(Worker))).ConfigureAwait(false);
        return (verified, wrong, firstWrong);
    }

    private sealed record BackgroundResult(long Created, long Errors, string? FirstError, double Seconds);
}
