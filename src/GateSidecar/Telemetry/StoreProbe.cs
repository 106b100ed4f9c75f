using System.Diagnostics;
using GateSidecar.Approvals;

namespace GateSidecar.Telemetry;

/// <summary>A store operation's name, its span name (<c>gate.store.&lt;name&gt;</c>) built once.</summary>
internal sealed class StoreOperation
{
    public static readonly StoreOperation Create = new("create");
    public static readonly StoreOperation Get = new("get");
    public static readonly StoreOperation Update = new("update");
    public static readonly StoreOperation ListPending = new("list_pending");
    public static readonly StoreOperation GetDue = new("get_due");
    public static readonly StoreOperation NextDeadline = new("next_deadline");
    public static readonly StoreOperation ConsumeToken = new("consume_token");
    public static readonly StoreOperation ListAudit = new("list_audit");
    public static readonly StoreOperation Ping = new("ping");
    public static readonly StoreOperation Prune = new("prune");

    private StoreOperation(string name)
    {
        Name = name;
        SpanName = GateSpans.StorePrefix + name;
    }

    public string Name { get; }

    public string SpanName { get; }
}

/// <summary>
/// The span and measurements of one store operation. A span is started only inside a Gate span:
/// background polling (deadlines, health) is measured but does not flood traces with root spans.
/// </summary>
internal readonly struct StoreProbe : IDisposable
{
    private readonly Activity? _span;
    private readonly string _store;
    private readonly StoreOperation _operation;
    private readonly TimeProvider _time;
    private readonly long _started;

    private StoreProbe(Activity? span, string store, StoreOperation operation, TimeProvider time)
    {
        _span = span;
        _store = store;
        _operation = operation;
        _time = time;
        _started = time.GetTimestamp();
    }

    /// <summary>False when nothing listens: the decorator then calls the store directly.</summary>
    public static bool Enabled =>
        GateMetrics.StoreDuration.Enabled || GateMetrics.StoreErrors.Enabled || GateDiagnostics.Source.HasListeners();

    public static StoreProbe Start(string store, StoreOperation operation, string? approvalId, TimeProvider time)
    {
        Activity? span = null;
        if (GateDiagnostics.InGateSpan)
        {
            span = GateDiagnostics.Source.StartActivity(operation.SpanName, ActivityKind.Client);
            if (span is { IsAllDataRequested: true })
            {
                span.SetTag(GateAttributes.DbSystemName, store);
                span.SetTag(GateAttributes.DbOperationName, operation.Name);
                if (!string.IsNullOrEmpty(approvalId))
                {
                    span.SetTag(GateAttributes.ApprovalId, approvalId);
                }
            }
        }

        return new StoreProbe(span, store, operation, time);
    }

    /// <summary>Counts the failure and marks the span; returns false so it can sit in an exception filter.</summary>
    public bool Failed(Exception exception)
    {
        if (exception is OperationCanceledException)
        {
            return false;
        }

        var type = exception is StoreUnavailableException ? "unavailable" : exception.GetType().Name;
        GateMetrics.StoreErrors.Add(1, new(GateAttributes.DbSystemName, _store), new(GateAttributes.DbOperationName, _operation.Name), new(GateAttributes.ErrorType, type));
        if (_span is not null)
        {
            _span.SetTag(GateAttributes.ErrorType, type);
            _span.SetStatus(ActivityStatusCode.Error);
        }

        return false;
    }

    public void Dispose()
    {
        if (GateMetrics.StoreDuration.Enabled)
        {
            GateMetrics.StoreDuration.Record(_time.GetElapsedTime(_started).TotalSeconds, new(GateAttributes.DbSystemName, _store), new(GateAttributes.DbOperationName, _operation.Name));
        }

        _span?.Stop();
    }
}
