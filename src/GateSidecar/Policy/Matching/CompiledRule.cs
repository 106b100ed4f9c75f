using System.Text;
using Gate.V1;

namespace GateSidecar.Policy.Matching;

/// <summary>
/// One rule after validation: immutable, with its route resolved against <c>defaults</c>. The rule is its own
/// reason source, so a decision carries a reference instead of a formatted string.
/// </summary>
internal sealed class CompiledRule : IReasonSource
{
    private readonly RedactionSet _redaction;

    public CompiledRule(
        string id, int order, RiskTier tier, ApprovalRoute route, MatchClause match, string? tool, RedactionSet redaction)
    {
        Id = id;
        Order = order;
        Tier = tier;
        Route = route;
        Match = match;
        Tool = tool;
        Glob = tool is not null && ToolGlob.IsGlob(tool) ? new ToolGlob(tool) : null;
        _redaction = redaction;
    }

    public string Id { get; }

    /// <summary>Position in the file; the earlier rule wins a tie.</summary>
    public int Order { get; }

    public RiskTier Tier { get; }

    public ApprovalRoute Route { get; }

    public MatchClause Match { get; }

    /// <summary>The top-level <c>tool</c> (exact name or glob); null when the rule applies to every tool.</summary>
    public string? Tool { get; }

    public ToolGlob? Glob { get; }

    public bool IsExact => Tool is not null && Glob is null;

    /// <summary>Whether the rule is indexed under a tool it has no exact name for (glob or no tool at all).</summary>
    public bool AppliesToTool(string tool) => Tool is null || (Glob is null ? Tool == tool : Glob.IsMatch(tool));

    public string Describe(CheckRequest request)
    {
        var output = new StringBuilder();
        if (!Match.Describe(output, request, _redaction))
        {
            output.Append(Tool is null ? "every call"
                : Glob is null ? "tool = " + Tool
                : $"tool {request.Tool} matches {Tool}");
        }

        return output.Append(" (rule ").Append(Id).Append(')').ToString();
    }

    /// <summary>Most restrictive first, then file order: the first rule that matches decides.</summary>
    public static int ComparePrecedence(CompiledRule left, CompiledRule right)
    {
        var byTier = right.Tier.CompareTo(left.Tier);
        return byTier != 0 ? byTier : left.Order.CompareTo(right.Order);
    }
}
