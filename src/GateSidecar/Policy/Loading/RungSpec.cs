using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Loading;

/// <summary>An <c>escalate_to</c> block as written; <see cref="KeyPath"/> is e.g. <c>escalate_to.escalate_to</c>.</summary>
internal sealed class RungSpec(YamlNode node, string keyPath)
{
    public YamlNode Node { get; } = node;

    public string KeyPath { get; } = keyPath;

    public string? Pool { get; set; }

    public YamlNode? PoolNode { get; set; }

    public TimeSpan? Timeout { get; set; }

    public TimeoutAction OnTimeout { get; set; } = TimeoutAction.Deny;

    public RungSpec? Next { get; set; }

    /// <summary>The ladder this rung starts; rungs without a timeout take <paramref name="fallbackTimeout"/>.</summary>
    public List<EscalationRung> ToLadder(TimeSpan fallbackTimeout)
    {
        var ladder = new List<EscalationRung>();
        for (var rung = this; rung is not null; rung = rung.Next)
        {
            ladder.Add(new EscalationRung(rung.Pool ?? string.Empty, rung.Timeout ?? fallbackTimeout, rung.OnTimeout));
        }

        return ladder;
    }
}
