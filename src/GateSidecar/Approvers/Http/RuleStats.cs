using Gate.V1;

namespace GateSidecar.Approvers.Http;

/// <summary>One rule's record with people: how often its approvals were approved as proposed.</summary>
internal sealed record RuleStat(string Rule, int Decided, int ApprovedUnchanged, int ApprovedEdited, int Rejected)
{
    public double ShareApprovedUnchanged => Decided == 0 ? 0 : (double)ApprovedUnchanged / Decided;
}

/// <summary>
/// Per rule, from the audit trail: approvals decided by people (approved or rejected; expiries and
/// cancellations are not decisions), and how many of those were approved unchanged. A rule approved
/// unchanged more than <see cref="RubberStampShare"/> of the time is a rubber-stamp candidate: people
/// wave it through, so it may be a gate that only costs time. The rule is the one that gated the call
/// (of its <c>created</c> entry), or, for approvals created before the window, the rule of their outcome.
/// </summary>
internal sealed class RuleStats
{
    public const double RubberStampShare = 0.95;

    private readonly Dictionary<string, Tracked> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Decided, int Unchanged, int Edited, int Rejected)> _rules = new(StringComparer.Ordinal);

    /// <summary>Feeds entries in sequence order.</summary>
    public void Add(AuditEvent entry)
    {
        switch (entry.Type)
        {
            case "created":
                if (entry.Tier is RiskTier.Single or RiskTier.Quorum)
                {
                    _open[entry.ApprovalId] = new Tracked(entry.Rule);
                }

                break;
            case "decision" when entry.Verdict == "EDIT_AND_APPROVE":
                Track(entry).Edited = true;
                break;
            case "approved":
            {
                var tracked = Track(entry);
                Count(tracked.Rule, approved: true, tracked.Edited);
                _open.Remove(entry.ApprovalId);
                break;
            }

            case "rejected":
                Count(Track(entry).Rule, approved: false, edited: false);
                _open.Remove(entry.ApprovalId);
                break;
            case "expired" or "cancelled":
                _open.Remove(entry.ApprovalId);
                break;
        }
    }

    /// <summary>Rules with at least one decision, the most rubber-stamped first.</summary>
    public IReadOnlyList<RuleStat> Result() =>
        [.. _rules.Select(r => new RuleStat(r.Key, r.Value.Decided, r.Value.Unchanged, r.Value.Edited, r.Value.Rejected))
            .OrderByDescending(r => r.ShareApprovedUnchanged).ThenByDescending(r => r.Decided).ThenBy(r => r.Rule, StringComparer.Ordinal)];

    public static bool IsRubberStampCandidate(RuleStat stat, int minDecided) =>
        stat.Decided >= Math.Max(1, minDecided) && stat.ShareApprovedUnchanged > RubberStampShare;

    private Tracked Track(AuditEvent entry)
    {
        if (!_open.TryGetValue(entry.ApprovalId, out var tracked))
        {
            tracked = new Tracked(entry.Rule);
            _open[entry.ApprovalId] = tracked;
        }

        return tracked;
    }

    private void Count(string rule, bool approved, bool edited)
    {
        _rules.TryGetValue(rule, out var c);
        c.Decided++;
        if (approved && edited)
        {
            c.Edited++;
        }
        else if (approved)
        {
            c.Unchanged++;
        }
        else
        {
            c.Rejected++;
        }

        _rules[rule] = c;
    }

    private sealed class Tracked(string rule)
    {
        public string Rule { get; } = rule;

        public bool Edited { get; set; }
    }
}
