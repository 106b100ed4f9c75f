using System.Globalization;
using Gate.Client;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Load;
using Gate.LoadTests.Measurement;
using Gate.LoadTests.Reporting;
using Grpc.Health.V1;

namespace Gate.LoadTests.Scenarios;

/// <summary>
/// The floor under scenario (a): <c>grpc.health.v1.Health/Check</c>, which does nothing but answer,
/// on the same sidecar, through the same driver, runner and connections as the fast path, at the
/// same rate (or closed loop). What it measures is what any call costs on this machine before Gate
/// does anything: the driver's client, HTTP/2 on a loopback socket, Kestrel, the thread hand-offs
/// and the host's scheduling. A fast-path figure can be read against it; no target applies.
/// </summary>
internal static class HealthFloorScenario
{
    public const string Policy = FastPathScenario.Policy;

    public static async Task<ScenarioReport> RunAsync(Deployment deployment, ScenarioOptions options, ProgressDisplay progress, CancellationToken cancellationToken)
    {
        var sidecar = deployment[0];
        var closed = options.Mode == "closed";
        var report = new ScenarioReport
        {
            Scenario = (closed ? "health-floor-max" : "health-floor") + (options.Store == StoreKind.Redis ? "-redis" : string.Empty),
            Title = closed
                ? $"Transport floor, maximum throughput: Health/Check, {options.Concurrency} callers back to back"
                : $"Transport floor: Health/Check at {options.Rate:0} calls/s",
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
        report.Parameter("call", "grpc.health.v1.Health/Check (service \"\"): answered SERVING by the sidecar with no store, policy or token work");

        var clients = Enumerable.Range(0, sidecar.Connections).Select(i => new HealthClient(sidecar.Channel(i))).ToArray();
        var request = new HealthCheckRequest();
        var schedule = closed ? null : new ArrivalSchedule(options.Rate, options.Ramp, options.Warmup, options.Duration);
        var span = closed ? options.Warmup + options.Duration : options.Ramp + options.Warmup + options.Duration;
        var measureFrom = closed ? MonotonicClock.FromTimeSpan(options.Warmup) : schedule!.MeasureFromNs;
        var recorder = new RunRecorder(MonotonicClock.NowNs() + 1_000_000, measureFrom, span);
        long notServing = 0;
        string? firstNotServing = null;

        async Task Call(long i)
        {
            var response = await clients[(int)(i % clients.Length)].CheckAsync(request).ConfigureAwait(false);
            if (response.Status != HealthCheckResponse.Types.ServingStatus.Serving && Interlocked.Increment(ref notServing) == 1)
            {
                firstNotServing = $"call {i}: {response.Status}";
            }
        }

        var cpu = CpuWindow.Begin(deployment.CpuMeter(), () => recorder.Completed, recorder.OriginNs + measureFrom);
        var started = MonotonicClock.NowNs();
        var work = closed
            ? ClosedLoopRunner.RunAsync(options.Concurrency, options.Warmup, options.Duration, Call, recorder, cancellationToken)
            : OpenLoopRunner.RunAsync(schedule!, Call, options.MaxInFlight, recorder, options.DrainTimeout, cancellationToken);
        await progress.RunAsync(report.Scenario, RunProgress.Describe(recorder), work).ConfigureAwait(false);
        report.WallSeconds = (MonotonicClock.NowNs() - started) / 1e9;

        report.Figure("calls sent", recorder.Sent, "calls");
        report.Figure("throughput (measured window)", recorder.MeasuredCompleted / options.Duration.TotalSeconds, "calls/s");
        if (!closed)
        {
            report.Figure("sends delayed by the in-flight cap", recorder.Capped, "calls");
        }

        report.AddWindow(await cpu.EndAsync().ConfigureAwait(false));
        report.Latency("Health/Check latency", closed ? "send to answer (closed loop: service time)" : "due time to answer (open loop, includes any queueing)", recorder.Latency);
        if (!closed)
        {
            report.Latency("schedule lag", "actual send time minus due time (the driver's own pacing error, included above)", recorder.ScheduleLag);
        }

        report.Statuses = recorder.Statuses.ToDictionary();
        report.ErrorSamples = recorder.Statuses.Samples;
        report.Series = recorder.Series.Points();
        report.SeriesTitle = "Health/Check latency by due second";
        report.MeasureFromSeconds = measureFrom / 1e9;

        report.Check("every call answered OK", recorder.Statuses.Errors == 0 && recorder.Completed == recorder.Sent,
            string.Create(CultureInfo.InvariantCulture, $"{recorder.Statuses.Ok} OK of {recorder.Sent} sent, {recorder.Statuses.Errors} errors, {recorder.InFlight} unanswered"));
        report.Check("every answer is SERVING", Interlocked.Read(ref notServing) == 0,
            notServing == 0 ? $"{recorder.Statuses.Ok} SERVING answers" : $"{notServing} not SERVING; first: {firstNotServing}");
        return report;
    }
}
