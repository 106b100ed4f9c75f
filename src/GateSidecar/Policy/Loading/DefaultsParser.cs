using Gate.V1;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Loading;

/// <summary>
/// Reads <c>defaults</c>. Every key is optional: tier single, pool <c>default</c>, timeout 5m, on_timeout deny.
/// </summary>
internal static class DefaultsParser
{
    private const string Where = "defaults";
    private const string Allowed = "tier, pool, quorum, timeout, on_timeout, escalate_to";

    public static DefaultsSpec Parse(ParseContext context, YamlNode? node, YamlNode root)
    {
        var spec = new DefaultsSpec();
        var keys = new RouteKeys();
        YamlNode? tierNode = null;
        var tierValid = true;
        if (node is YamlMappingNode map)
        {
            foreach (var (keyNode, value) in map.Children)
            {
                var key = context.KeyText(keyNode, Where);
                if (key is null || RouteParser.TryParseKey(context, Where, key, value, keys))
                {
                    continue;
                }

                if (key == "tier")
                {
                    tierNode = value;
                    var tier = RuleParser.ParseTier(context, Where, value);
                    tierValid = tier is not null;
                    spec.Tier = tier ?? spec.Tier;
                    continue;
                }

                context.Errors.Add(keyNode, Where, key, $"unknown key (allowed: {Allowed})");
            }
        }
        else if (node is not null)
        {
            context.Errors.Add(node, string.Empty, "defaults", $"expected a mapping with keys {Allowed}, found {YamlScalars.Describe(node)}");
        }

        var at = node ?? root;
        var routed = spec.Tier is RiskTier.Single or RiskTier.Quorum;

        // Pool: an unknown explicit pool was reported while reading; the implicit one only matters when used.
        if (keys.PoolNode is not null)
        {
            spec.Pool = keys.Pool ?? string.Empty;
            spec.PoolDefined = keys.Pool is not null;
            spec.PoolReported = !spec.PoolDefined;
        }
        else
        {
            spec.PoolDefined = context.PoolExists(DefaultsSpec.ImplicitPool);
            // With an unreadable tier the pool may not even be needed: report the tier alone.
            if (!spec.PoolDefined && routed && tierValid)
            {
                context.Errors.Add(at, Where, "pool", $"is missing and pool '{DefaultsSpec.ImplicitPool}' is not defined in pools");
                spec.PoolReported = true;
            }
        }

        spec.Timeout = keys.Timeout ?? spec.Timeout;
        spec.OnTimeout = keys.OnTimeout ?? spec.OnTimeout;
        spec.EscalateTo = keys.EscalateTo;
        spec.EscalateToBroken = keys.EscalateToNode is not null && keys.EscalateTo is null;
        if (keys.OnTimeout == TimeoutAction.Escalate && keys.EscalateToNode is null)
        {
            context.Errors.Add(at, Where, "escalate_to", "is missing (on_timeout is escalate)");
            spec.EscalateToBroken = true;
        }
        else if (keys.EscalateToNode is not null && spec.OnTimeout != TimeoutAction.Escalate
            && (keys.OnTimeoutNode is null || keys.OnTimeout is not null))
        {
            context.Errors.Add(keys.EscalateToNode, Where, "escalate_to", "has no effect unless on_timeout is escalate");
        }

        if (keys.QuorumNode is not null && spec.Tier != RiskTier.Quorum)
        {
            context.Errors.Add(keys.QuorumNode, Where, "quorum", $"only a quorum tier takes a quorum (tier is {PolicyTiers.Name(spec.Tier)})");
        }

        if (spec.Tier == RiskTier.Quorum)
        {
            spec.Quorum = keys.Quorum ?? spec.Quorum;
            RuleParser.CheckQuorum(context, Where, spec.Quorum, keys.QuorumNode ?? tierNode ?? at, spec.Pool, spec.EscalateTo);
        }

        var ladder = spec.OnTimeout == TimeoutAction.Escalate && spec.EscalateTo is not null
            ? spec.EscalateTo.ToLadder(spec.Timeout)
            : [];
        var quorum = spec.Tier switch { RiskTier.Single => 1, RiskTier.Quorum => spec.Quorum, _ => 0 };
        spec.Route = new ApprovalRoute(spec.Pool, quorum, spec.Timeout, spec.OnTimeout, ladder, []);
        return spec;
    }
}
