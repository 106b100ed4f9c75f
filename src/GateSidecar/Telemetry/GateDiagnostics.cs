using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace GateSidecar.Telemetry;

/// <summary>
/// The sidecar's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named
/// <c>Gate</c>. Static, like the runtime's own sources: with no listener (no exporter configured),
/// starting a span returns null and recording a measurement is a flag check.
/// </summary>
internal static class GateDiagnostics
{
    public const string Name = "Gate";

    public static readonly string Version =
        typeof(GateDiagnostics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static readonly ActivitySource Source = new(Name, Version);

    public static readonly Meter Meter = new(Name, Version);

    /// <summary>True when the current activity is one of Gate's spans (so a child span joins an exported trace).</summary>
    public static bool InGateSpan => Activity.Current is { } current && ReferenceEquals(current.Source, Source);

    /// <summary>
    /// Starts a span under the current Gate span. When the current activity is foreign (such as
    /// ASP.NET Core's request activity, which Gate does not export), the span continues that
    /// request's remote parent instead, or starts a trace: a parent that is never exported would
    /// leave the span dangling.
    /// </summary>
    public static Activity? StartSpan(string name, ActivityKind kind = ActivityKind.Internal, IEnumerable<ActivityLink>? links = null)
    {
        var current = Activity.Current;
        if (current is null || ReferenceEquals(current.Source, Source))
        {
            return Source.StartActivity(name, kind, default(ActivityContext), tags: null, links);
        }

        ActivityContext.TryParse(current.ParentId, current.TraceStateString, isRemote: true, out var remote);
        return StartWithParent(name, kind, remote, links, startTime: default);
    }

    /// <summary>
    /// Starts a span whose parent is exactly <paramref name="parent"/>, or a new trace when it is
    /// the default context, whatever the current activity.
    /// </summary>
    public static Activity? StartWithParent(
        string name,
        ActivityKind kind,
        ActivityContext parent,
        IEnumerable<ActivityLink>? links,
        DateTimeOffset startTime,
        IEnumerable<KeyValuePair<string, object?>>? tags = null)
    {
        var previous = Activity.Current;
        if (previous is not null)
        {
            Activity.Current = null;
        }

        var span = Source.StartActivity(name, kind, parent, tags, links, startTime);
        if (span is null && previous is not null)
        {
            Activity.Current = previous;
        }

        return span;
    }
}
