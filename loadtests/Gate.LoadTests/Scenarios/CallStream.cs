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
    private readonly ArrivalSchedule? _schedule;

    private CallStream(ScenarioOptions options)
    {
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

    /// <summary>Calls the open-loop schedule will send; null in closed loop.</summary>
    public long? ScheduledCalls => _schedule?.TotalCalls;

    /// <summary>Plans the stream and writes its load parameters (mode, rate, ramp, cap, warm-up, measured) into the report.</summary>
    public static CallStream Plan(ScenarioOptions options, ScenarioReport report)
    {
        var stream = new CallStream(options);
        report.Parameter("mode", stream.Closed ? $"closed loop, {options.Concurrency} concurrent callers" : "open loop, constant arrival rate");
        if (!stream.Closed)
        {
            report.Parameter("rate", $"{options.Rate:0} calls/s");
            report.Parameter("ramp", options.Ramp);
            report.Parameter("max in flight", options.MaxInFlight);
        }

        report.Parameter("warm-up", options.Warmup);
        report.Parameter("measured", options.Duration);
        return stream;
    }

    /// <summary>
    /// Runs <paramref name="call"/> (given each call's sequence number) and fills the shared parts
    /// of the report; returns the measured throughput in calls a second.
    /// </summary>
    public async Task<double> RunAsync(
        Deployment deployment,
        ScenarioOptions options,
        ScenarioReport report,
        Func<long, Task> call,
        string latencyName,
        ProgressDisplay progress,
        CancellationToken cancellationToken)
    {
        var cpu = CpuWindow.Begin(deployment.CpuMeter(), () => Recorder.Completed, Recorder.OriginNs + Recorder.MeasureFromNs);
        var started = MonotonicClock.NowNs();
        var work = Closed
            ? ClosedLoopRunner.RunAsync(options.Concurrency, options.Warmup, options.Duration, call, Recorder, cancellationToken)
            : OpenLoopRunner.RunAsync(_schedule!, call, options.MaxInFlight, Recorder, options.DrainTimeout, cancellationToken);
        await progress.RunAsync(report.Scenario, RunProgress.Describe(Recorder), work).ConfigureAwait(false);
        report.WallSeconds = (MonotonicClock.NowNs() - started) / 1e9;

        var throughput = Recorder.MeasuredCompleted / options.Duration.TotalSeconds;
        report.Figure("calls sent", Recorder.Sent, "calls");
        report.Figure("throughput (measured window)", throughput, "calls/s");
        if (!Closed)
        {
            report.Figure("sends delayed by the in-flight cap", Recorder.Capped, "calls");
        }

        report.AddWindow(await cpu.EndAsync().ConfigureAwait(false));
        report.Latency(latencyName, Closed ? "send to answer (closed loop: service time)" : "due time to answer (open loop, includes any queueing)", Recorder.Latency);
        if (!Closed)
        {
            report.Latency("schedule lag", "actual send time minus due time (the driver's own pacing error, included above)", Recorder.ScheduleLag);
        }

        report.Statuses = Recorder.Statuses.ToDictionary();
        report.ErrorSamples = Recorder.Statuses.Samples;
        report.Series = Recorder.Series.Points();
        report.SeriesTitle = latencyName + " by due second";
        report.MeasureFromSeconds = Recorder.MeasureFromNs / 1e9;
        report.Check("every call answered OK", Recorder.Statuses.Errors == 0 && Recorder.Completed == Recorder.Sent,
            string.Create(CultureInfo.InvariantCulture, $"{Recorder.Statuses.Ok} OK of {Recorder.Sent} sent, {Recorder.Statuses.Errors} errors, {Recorder.InFlight} unanswered"));
        return throughput;
    }
}
