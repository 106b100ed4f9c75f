using System.Globalization;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Load;
using Gate.LoadTests.Measurement;
using Gate.LoadTests.Reporting;

namespace Gate.LoadTests.Scenarios;

/// <summary>
/// A stream of independent unary calls, open loop at a constant arrival rate or closed loop
/// (<c>--mode</c>): the plan, the run and the parts of the report every such scenario shares (its
/// load parameters, throughput, CPU window, latency and schedule-lag rows, statuses, the
/// latency-over-time series and the "every call answered OK" check). The scenario adds what its
/// calls are and what it checks of their answers.
/// </summary>
internal sealed class CallStream
{
    private readonly Deployment _deployment;
    private readonly ScenarioOptions _options;
    private readonly ArrivalSchedule? _schedule;

    private CallStream(Deployment deployment, ScenarioOptions options, ScenarioReport report)
    {
        _deployment = deployment;
        _options = options;
        Report = report;
        Closed = options.Mode == "closed";
        _schedule = Closed ? null : new ArrivalSchedule(options.Rate, options.Ramp, options.Warmup, options.Duration);
        Span = Closed ? options.Warmup + options.Duration : options.Ramp + options.Warmup + options.Duration;
        var measureFrom = Closed ? MonotonicClock.FromTimeSpan(options.Warmup) : _schedule!.MeasureFromNs;
        Recorder = new RunRecorder(MonotonicClock.NowNs() + 1_000_000, measureFrom, Span);
    }

    public bool Closed { get; }

    /// <summary>Ramp (open loop), warm-up and measured window together.</summary>
    public TimeSpan Span { get; }

    public RunRecorder Recorder { get; }

    /// <summary>The scenario's report: named, titled and with the load parameters written by <see cref="Plan"/>.</summary>
    public ScenarioReport Report { get; }

    /// <summary>Calls the open-loop schedule will send; null in closed loop.</summary>
    public long? ScheduledCalls => _schedule?.TotalCalls;

    /// <summary>
    /// Plans the stream and starts its report: named <paramref name="name"/> (with "-max" in closed
    /// loop and "-redis" on Redis), titled <paramref name="closedTitle"/> or <paramref name="openTitle"/>,
    /// with the load parameters (mode, rate, ramp, cap, warm-up, measured). The recorder's clock starts
    /// here, so plan right before the run.
    /// </summary>
    public static CallStream Plan(Deployment deployment, ScenarioOptions options, string name, string closedTitle, string openTitle)
    {
        var closed = options.Mode == "closed";
        var report = new ScenarioReport
        {
            Scenario = (closed ? name + "-max" : name) + (options.Store == StoreKind.Redis ? "-redis" : string.Empty),
            Title = closed ? closedTitle : openTitle,
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
        return new CallStream(deployment, options, report);
    }

    /// <summary>
    /// Runs <paramref name="call"/> (given each call's sequence number) and fills the shared parts
    /// of the report; returns the measured throughput in calls a second.
    /// </summary>
    public async Task<double> RunAsync(Func<long, Task> call, string latencyName, ProgressDisplay progress, CancellationToken cancellationToken)
    {
        var cpu = CpuWindow.Begin(_deployment.CpuMeter(), () => Recorder.Completed, Recorder.OriginNs + Recorder.MeasureFromNs);
        var started = MonotonicClock.NowNs();
        var work = Closed
            ? ClosedLoopRunner.RunAsync(_options.Concurrency, _options.Warmup, _options.Duration, call, Recorder, cancellationToken)
            : OpenLoopRunner.RunAsync(_schedule!, call, _options.MaxInFlight, Recorder, _options.DrainTimeout, cancellationToken);
        await progress.RunAsync(Report.Scenario, RunProgress.Describe(Recorder), work).ConfigureAwait(false);
        Report.WallSeconds = (MonotonicClock.NowNs() - started) / 1e9;

        var throughput = Recorder.MeasuredCompleted / _options.Duration.TotalSeconds;
        Report.Figure("calls sent", Recorder.Sent, "calls");
        Report.Figure("throughput (measured window)", throughput, "calls/s");
        if (!Closed)
        {
            Report.Figure("sends delayed by the in-flight cap", Recorder.Capped, "calls");
        }

        Report.AddWindow(await cpu.EndAsync().ConfigureAwait(false));
        Report.Latency(latencyName, Closed ? "send to answer (closed loop: service time)" : "due time to answer (open loop, includes any queueing)", Recorder.Latency);
        if (!Closed)
        {
            Report.Latency("schedule lag", "actual send time minus due time (the driver's own pacing error, included above)", Recorder.ScheduleLag);
        }

        Report.Statuses = Recorder.Statuses.ToDictionary();
        Report.ErrorSamples = Recorder.Statuses.Samples;
        Report.Series = Recorder.Series.Points();
        Report.SeriesTitle = latencyName + " by due second";
        Report.MeasureFromSeconds = Recorder.MeasureFromNs / 1e9;
        Report.Check("every call answered OK", Recorder.Statuses.Errors == 0 && Recorder.Completed == Recorder.Sent,
            string.Create(CultureInfo.InvariantCulture, $"{Recorder.Statuses.Ok} OK of {Recorder.Sent} sent, {Recorder.Statuses.Errors} errors, {Recorder.InFlight} unanswered"));
        return throughput;
    }
}
