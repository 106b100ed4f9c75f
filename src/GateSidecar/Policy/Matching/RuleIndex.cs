using System.Collections.Concurrent;
using System.Collections.Frozen;
using Gate.V1;

namespace GateSidecar.Policy.Matching;

/// <summary>
/// Candidate rules per tool name, each list sorted most restrictive first (then file order), so evaluation
/// stops at the first rule that matches: "most restrictive wins, ties to the earlier rule" for free.
/// Exact tool names are merged with the glob rules that cover them at load; other names are merged on first
/// sight and cached up to <see cref="MaxCachedTools"/> entries, after which they are walked without caching.
/// </summary>
internal sealed class RuleIndex
{
    internal const int MaxCachedTools = 4096;

    private readonly FrozenDictionary<string, CompiledRule[]> _byTool;
    private readonly CompiledRule[] _wildcard;
    private readonly ConcurrentDictionary<string, CompiledRule[]> _seen = new(StringComparer.Ordinal);
    private int _seenCount;

    public RuleIndex(IReadOnlyList<CompiledRule> rules)
    {
        var wildcard = new List<CompiledRule>();
        var exact = new Dictionary<string, List<CompiledRule>>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (rule.IsExact)
            {
                if (!exact.TryGetValue(rule.Tool!, out var list))
                {
                    exact[rule.Tool!] = list = [];
                }

                list.Add(rule);
            }
            else
            {
                wildcard.Add(rule);
            }
        }

        wildcard.Sort(CompiledRule.ComparePrecedence);
        _wildcard = [.. wildcard];
        _byTool = exact.ToFrozenDictionary(
            pair => pair.Key,
            pair => Merge(pair.Value, pair.Key),
            StringComparer.Ordinal);
    }

    /// <summary>The deciding rule, or null when none matches (the policy default applies).</summary>
    public CompiledRule? FindWinner(CheckRequest request)
    {
        var tool = request.Tool ?? string.Empty;
        if (_byTool.TryGetValue(tool, out var candidates) || _seen.TryGetValue(tool, out candidates))
        {
            return FirstMatch(candidates, request);
        }

        if (_wildcard.Length == 0)
        {
            return null;
        }

        if (Volatile.Read(ref _seenCount) < MaxCachedTools)
        {
            candidates = Merge([], tool);
            if (_seen.TryAdd(tool, candidates))
            {
                Interlocked.Increment(ref _seenCount);
            }

            return FirstMatch(candidates, request);
        }

        for (var i = 0; i < _wildcard.Length; i++)
        {
            var rule = _wildcard[i];
            if (rule.AppliesToTool(tool) && rule.Match.Test(request))
            {
                return rule;
            }
        }

        return null;
    }

    private static CompiledRule? FirstMatch(CompiledRule[] candidates, CheckRequest request)
    {
        for (var i = 0; i < candidates.Length; i++)
        {
            if (candidates[i].Match.Test(request))
            {
                return candidates[i];
            }
        }

        return null;
    }

    private CompiledRule[] Merge(List<CompiledRule> exact, string tool)
    {
        var merged = new List<CompiledRule>(exact);
        foreach (var rule in _wildcard)
        {
            if (rule.AppliesToTool(tool))
            {
                merged.Add(rule);
            }
        }

        merged.Sort(CompiledRule.ComparePrecedence);
        return [.. merged];
    }
}
