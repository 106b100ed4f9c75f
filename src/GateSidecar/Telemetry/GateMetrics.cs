using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace GateSidecar.Telemetry;

/// <summary>
/// Every instrument of the <c>Gate</c> meter. Names, units and attributes are described in
/// docs/observability.md; a rename there is a rename for every dashboard, so keep them in step.
/// </summary>
internal static class GateMetrics
{
    // Machine time: 100 µs .. 5 s, in steps of at most 1.5x from 1 to 100 ms, where a call's latency
    // and its targets lie, so a quantile read from the buckets (histogram_quantile, the load
    // reports) is off by less than half a step there. Human time: 1 s .. 1 day.
    private static readonly double[] LatencyBuckets =
        [0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5];
    private static readonly double[] HumanBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400];

    private static readonly ConcurrentDictionary<PendingApprovalsTally, byte> Tallies = new();

    public static readonly Histogram<double> CheckDuration = GateDiagnostics.Meter.CreateHistogram(
        "gate.check.duration", "s", "Time to evaluate and record one Check (or the evaluation of a Guard): policy, record, token.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    public static readonly Histogram<double> DecisionDuration = GateDiagnostics.Meter.CreateHistogram(
        "gate.decision.duration", "s", "Time to apply one person's decision (Decide, or one item of DecideBatch): read, checks, durable write, token.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    public static readonly Counter<long> Decisions = GateDiagnostics.Meter.CreateCounter<long>(
        "gate.decisions", "{decision}", "Calls decided by the policy, by tier, verdict and rule; a retried call_id counts once.");

    public static readonly Histogram<double> TimeToDecision = GateDiagnostics.Meter.CreateHistogram(
        "gate.approval.time_to_decision", "s", "From PENDING to a final state (approved, rejected, expired, cancelled).",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = HumanBuckets });

    public static readonly Counter<long> Timeouts = GateDiagnostics.Meter.CreateCounter<long>(
        "gate.approval.timeouts", "{timeout}", "Deadlines that passed, by rule and by what followed (expired or escalated).");

    public static readonly Counter<long> Escalations = GateDiagnostics.Meter.CreateCounter<long>(
        "gate.approval.escalations", "{escalation}", "Approvals moved up their escalation ladder, by rule, cause (timer or approver) and new pool.");

    public static readonly Counter<long> NotificationsFailed = GateDiagnostics.Meter.CreateCounter<long>(
        "gate.notifications.failed", "{notification}", "Notifications (webhooks, chat) that could not be delivered after every retry.");

    public static readonly Histogram<double> StoreDuration = GateDiagnostics.Meter.CreateHistogram(
        "gate.store.duration", "s", "Duration of one store operation, by store and operation.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    public static readonly Counter<long> StoreErrors = GateDiagnostics.Meter.CreateCounter<long>(
        "gate.store.errors", "{error}", "Store operations that failed, by store, operation and error type.");

    public static readonly Counter<long> RuleDecided = GateDiagnostics.Meter.CreateCounter<long>(
        "gate.rule.decided", "{approval}", "Approvals decided by people (approved or rejected), by rule and outcome.");

    public static readonly Counter<long> RuleApprovedUnchanged = GateDiagnostics.Meter.CreateCounter<long>(
        "gate.rule.approved_unchanged", "{approval}", "Approvals approved without an edit, by rule; divided by gate.rule.decided it is the rubber-stamp share.");

    public static readonly ObservableGauge<long> Pending = GateDiagnostics.Meter.CreateObservableGauge(
        "gate.approvals.pending", ObservePending, "{approval}", "Approvals waiting for people (PENDING or ESCALATED), by current pool.");

    /// <summary>
    /// Counts a notification that was given up on. Called by the notification senders after their
    /// last retry; <paramref name="channel"/> is e.g. <c>webhook</c> or <c>slack</c>.
    /// </summary>
    public static void NotificationFailed(string channel, string pool) =>
        NotificationsFailed.Add(1, new(GateAttributes.NotificationChannel, channel), new(GateAttributes.Pool, pool));

    internal static void Track(PendingApprovalsTally tally) => Tallies[tally] = 0;

    internal static void Untrack(PendingApprovalsTally tally) => Tallies.TryRemove(tally, out _);

    private static IEnumerable<Measurement<long>> ObservePending()
    {
        // One tally per sidecar process; tests may host several, whose counts add up.
        var byPool = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var tally in Tallies.Keys)
        {
            tally.CountByPool(byPool);
        }

        var measurements = new List<Measurement<long>>(byPool.Count);
        foreach (var (pool, count) in byPool)
        {
            measurements.Add(new Measurement<long>(count, new KeyValuePair<string, object?>(GateAttributes.Pool, pool)));
        }

        return measurements;
    }
}
