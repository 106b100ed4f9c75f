using System.Collections.Frozen;
using Gate.V1;
using GateSidecar.Policy.Matching;

namespace GateSidecar.Policy;

/// <summary>
/// A validated policy compiled into an indexed rule table. Immutable: a reload builds a new instance and swaps
/// the reference, so an evaluation never sees half of two versions.
/// </summary>
internal sealed class CompiledPolicy
{
    private readonly RuleIndex _index;
    private readonly DefaultReason _defaultReason;
    private readonly FrozenDictionary<string, IReadOnlyList<string>> _pools;
    private readonly FrozenDictionary<string, FrozenSet<string>> _members;
    private readonly FrozenDictionary<string, IReadOnlyList<string>> _poolsByApprover;
    private readonly RedactionSet _redaction;

    internal CompiledPolicy(
        string version,
        string source,
        RiskTier defaultTier,
        ApprovalRoute defaultRoute,
        IReadOnlyList<CompiledRule> rules,
        IReadOnlyList<KeyValuePair<string, string[]>> pools,
        RedactionSet redaction)
    {
        Version = version;
        Source = source;
        DefaultTier = defaultTier;
        DefaultRoute = defaultRoute;
        Rules = rules;
        _redaction = redaction;
        _index = new RuleIndex(rules);
        _defaultReason = new DefaultReason(defaultTier);
        _pools = pools.ToFrozenDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal);
        _members = pools.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var byApprover = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (pool, members) in pools)
        {
            foreach (var member in members)
            {
                if (!byApprover.TryGetValue(member, out var list))
                {
                    byApprover[member] = list = [];
                }

                list.Add(pool);
            }
        }

        _poolsByApprover = byApprover.ToFrozenDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The file's <c>version</c>, stamped on every decision.</summary>
    public string Version { get; }

    /// <summary>Where the policy was loaded from (a path or a name given by the caller).</summary>
    public string Source { get; }

    public RiskTier DefaultTier { get; }

    public ApprovalRoute DefaultRoute { get; }

    /// <summary>Rules in file order.</summary>
    public IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>Paths masked as <c>***</c> wherever a person or a log sees a call, e.g. <c>args.card_number</c>.</summary>
    public IReadOnlyList<string> RedactPaths => _redaction.Paths;

    /// <summary>Pool name → approver ids, in file order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Pools => _pools;

    /// <summary>Decides one call. Never throws for a well-formed request and allocates nothing on its own.</summary>
    public PolicyDecision Evaluate(CheckRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var rule = _index.FindWinner(request);
        return rule is null
            ? new PolicyDecision(DefaultTier, string.Empty, Version, DefaultRoute, _defaultReason, request)
            : new PolicyDecision(rule.Tier, rule.Id, Version, rule.Route, rule, request);
    }

    public bool PoolExists(string pool) => _pools.ContainsKey(pool);

    public bool IsMember(string pool, string approverId) =>
        _members.TryGetValue(pool, out var members) && members.Contains(approverId);

    /// <summary>The pools an approver belongs to, in file order; empty for an unknown id.</summary>
    public IReadOnlyList<string> PoolsOf(string approverId) =>
        _poolsByApprover.TryGetValue(approverId, out var pools) ? pools : [];

    /// <summary>Whether a path (e.g. an impact path) shows a redacted value or contains one.</summary>
    public bool IsRedacted(string path) => _redaction.Covers(path);
}
