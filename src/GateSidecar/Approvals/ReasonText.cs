namespace GateSidecar.Approvals;

/// <summary>Keeps redacted values out of the human-readable reason of a policy decision.</summary>
internal static class ReasonText
{
    /// <summary>
    /// The policy's reason names the values that triggered a rule (<c>args.amount 900 &gt; 500</c>);
    /// a clause about a redacted path keeps its path and loses its value.
    /// </summary>
    public static string Mask(string reason, IReadOnlyList<string> redact)
    {
        if (redact.Count == 0 || reason.Length == 0)
        {
            return reason;
        }

        var changed = false;
        var clauses = reason.Split(", ");
        for (var i = 0; i < clauses.Length; i++)
        {
            foreach (var path in redact)
            {
                if (clauses[i].StartsWith(path + " ", StringComparison.Ordinal) || clauses[i].StartsWith(path + ".", StringComparison.Ordinal))
                {
                    var rule = clauses[i].IndexOf(" (rule ", StringComparison.Ordinal);
                    clauses[i] = path + " " + Redactor.Mask + (rule >= 0 ? clauses[i][rule..] : string.Empty);
                    changed = true;
                    break;
                }
            }
        }

        return changed ? string.Join(", ", clauses) : reason;
    }
}
