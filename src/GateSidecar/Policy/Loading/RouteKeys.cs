using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Loading;

/// <summary>The routing keys of a rule or of <c>defaults</c>, as written (null when not written).</summary>
internal sealed class RouteKeys
{
    public string? Pool { get; set; }

    public YamlNode? PoolNode { get; set; }

    public int? Quorum { get; set; }

    public YamlNode? QuorumNode { get; set; }

    public TimeSpan? Timeout { get; set; }

    public YamlNode? TimeoutNode { get; set; }

    public TimeoutAction? OnTimeout { get; set; }

    public YamlNode? OnTimeoutNode { get; set; }

    public RungSpec? EscalateTo { get; set; }

    public YamlNode? EscalateToNode { get; set; }

    /// <summary>The keys that were written, for "has no effect" errors on auto and block rules.</summary>
    public IEnumerable<(string Key, YamlNode Node)> Written()
    {
        if (PoolNode is not null)
        {
            yield return ("pool", PoolNode);
        }

        if (QuorumNode is not null)
        {
            yield return ("quorum", QuorumNode);
        }

        if (TimeoutNode is not null)
        {
            yield return ("timeout", TimeoutNode);
        }

        if (OnTimeoutNode is not null)
        {
            yield return ("on_timeout", OnTimeoutNode);
        }

        if (EscalateToNode is not null)
        {
            yield return ("escalate_to", EscalateToNode);
        }
    }
}
