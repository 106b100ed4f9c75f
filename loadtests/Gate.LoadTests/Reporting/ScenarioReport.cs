using Gate.LoadTests.Measurement;

namespace Gate.LoadTests.Reporting;

/// <summary>A correctness check of a scenario: it passes or fails, and says what it saw.</summary>
internal sealed record CheckResult(string Name, bool Passed, string Detail)
{
    public static CheckResult Expect(string name, bool condition, string detail) => new(name, condition, detail);
}

/// <summary>A target of the issue, what was measured, and whether it was met.</summary>
internal sealed record TargetResult(string Name, string Goal, string Measured, bool Met);

/// <summary>One number of a report, e.g. ("throughput", 5012.3, "calls/s").</summary>
internal sealed record Figure(string Name, double Value, string Unit);

/// <summary>A latency distribution with what it measures.</summary>
internal sealed record NamedLatency(string Name, string Description, LatencySummary Summary);

/// <summary>Everything a scenario run produced: written as JSON, Markdown and SVG, and printed.</summary>
internal sealed class ScenarioReport
{
    private readonly List<NamedLatency> _latencies = [];
    private NamedLatency? _wakeLateness;

    public required string Scenario { get; init; }

    public required string Title { get; init; }

    public string Command { get; set; } = string.Empty;

    public MachineInfo Machine { get; set; } = MachineInfo.Current();

    public required string Deployment { get; init; }

    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    public double WallSeconds { get; set; }

    public List<KeyValuePair<string, string>> Parameters { get; } = [];

    public List<Figure> Figures { get; } = [];

    /// <summary>The latency rows in the order added, then the measured window's wake-up lateness (<see cref="AddWindow"/>).</summary>
    public IReadOnlyList<NamedLatency> Latencies => _wakeLateness is null ? _latencies : [.. _latencies, _wakeLateness];

    public IReadOnlyDictionary<string, long> Statuses { get; set; } = new Dictionary<string, long>();

    public IReadOnlyList<string> ErrorSamples { get; set; } = [];

    public List<CheckResult> Checks { get; } = [];

    public List<TargetResult> Targets { get; } = [];

    /// <summary>The latency-over-time chart's data; its title says what latency it is.</summary>
    public IReadOnlyList<TimeSeriesPoint> Series { get; set; } = [];

    public string SeriesTitle { get; set; } = "latency";

    /// <summary>Where the measured window starts in <see cref="Series"/>, in seconds.</summary>
    public double MeasureFromSeconds { get; set; }

    public List<string> Notes { get; } = [];

    public bool Passed => Checks.TrueForAll(c => c.Passed);

    public void Parameter(string name, object value) => Parameters.Add(new(name, value is TimeSpan span
        ? Cli.DurationParser.Format(span)
        : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty));

    public void Figure(string name, double value, string unit) => Figures.Add(new Figure(name, value, unit));

    public void Latency(string name, string description, LatencyHistogram histogram) =>
        _latencies.Add(new NamedLatency(name, description, LatencySummary.Of(histogram)));

    /// <summary>
    /// What the measured window gave (<see cref="CpuWindow"/>): the CPU time, bytes written and
    /// bytes allocated per call and the collector's pauses of each process as figures, and the
    /// wake-up lateness as the last latency row.
    /// </summary>
    public void AddWindow(WindowUsage window, string per = "call")
    {
        ArgumentNullException.ThrowIfNull(window);
        foreach (var (name, value, unit) in window.PerCall)
        {
            Figure(string.Format(System.Globalization.CultureInfo.InvariantCulture, name, per), value, unit);
        }

        _wakeLateness = new NamedLatency(
            WakeLatenessName,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"a driver thread asking to sleep {WakeProbe.Interval.TotalMilliseconds:0} ms, how much longer it slept: the delay before a woken thread runs on this machine during the measured window"),
            LatencySummary.Of(window.WakeLateness));
    }

    /// <summary>The name of the latency row <see cref="AddWindow"/> adds.</summary>
    public const string WakeLatenessName = "wake-up lateness (host)";

    /// <summary>
    /// How much the machine computed (<see cref="HostProbe"/>, one thread per core) before the run
    /// started its processes and after it stopped them, as two figures.
    /// </summary>
    public void AddHostProbe(double before, double after)
    {
        Figure("host speed probe before the run (all cores, higher is faster)", before, "M steps/s");
        Figure("host speed probe after the run", after, "M steps/s");
    }

    public void Check(string name, bool passed, string detail) => Checks.Add(new CheckResult(name, passed, detail));

    public void Target(string name, string goal, string measured, bool met) => Targets.Add(new TargetResult(name, goal, measured, met));
}
