using System.Globalization;
using Gate.V1;
using Google.Protobuf;
using Spectre.Console;

namespace GateCtl.Commands;

/// <summary>How approvals read in a terminal: a table of pending ones, the full card of one, one line per change.</summary>
internal static class ApproverViews
{
    public static void WritePending(IAnsiConsole console, IReadOnlyList<Approval> approvals, DateTimeOffset now)
    {
        if (approvals.Count == 0)
        {
            console.WriteLine("nothing pending in your pools");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("ID", "Tool", "Pool", "State", "Approvals", "Deadline", "For", "Rule");
        foreach (var a in approvals)
        {
            table.AddRow(
                Markup.Escape(a.ApprovalId),
                Markup.Escape(a.Request?.Tool ?? string.Empty),
                Markup.Escape(a.Pool),
                State(a.State) + (a.EscalationLevel > 0 ? $" (level {a.EscalationLevel})" : string.Empty),
                Progress(a),
                Deadline(a, now),
                Markup.Escape(a.Request?.Agent?.OnBehalfOf ?? string.Empty),
                Markup.Escape(a.Rule.Length == 0 ? "(default)" : a.Rule));
        }

        console.Write(table);
        console.WriteLine($"{approvals.Count} pending");
    }

    public static void WriteApproval(IAnsiConsole console, Approval a, DateTimeOffset now)
    {
        var request = a.Request ?? new CheckRequest();
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                grid.AddRow(name, Markup.Escape(value));
            }
        }

        Row("approval", a.ApprovalId);
        Row("tool", request.Tool);
        Row("state", State(a.State) + (a.EscalationLevel > 0 ? $" (escalation level {a.EscalationLevel})" : string.Empty));
        Row("why", a.Reason);
        Row("rule", a.Rule.Length == 0 ? "(policy default)" : a.Rule);
        Row("policy", a.PolicyVersion);
        Row("pool", a.Pool);
        Row("approvals", Progress(a));
        Row("deadline", a.Deadline is null ? null : $"{a.Deadline.ToDateTimeOffset():u} ({Deadline(a, now)})");
        Row("acts for", request.Agent?.OnBehalfOf);
        Row("agent", request.Agent?.AgentId);
        Row("tenant", request.Agent?.Tenant);
        Row("user asked", request.Context?.UserRequest);
        Row("reasoning", request.Context?.Reasoning);
        if (request.Context?.HasConfidence == true)
        {
            Row("confidence", request.Context.Confidence.ToString("0.##", CultureInfo.InvariantCulture));
        }

        foreach (var alternative in request.Context?.Alternatives ?? [])
        {
            Row("alternative", $"{alternative.Summary} (not taken: {alternative.WhyNot})");
        }

        foreach (var item in a.Impact)
        {
            Row("impact", $"{item.Label} = {item.Value}");
        }

        console.Write(grid);
        console.WriteLine();
        console.WriteLine("arguments:");
        console.WriteLine(Indent(JsonFormatter.Default.Format(request.Arguments ?? new Google.Protobuf.WellKnownTypes.Struct())));
        if (request.Current is { Fields.Count: > 0 })
        {
            console.WriteLine("current:");
            console.WriteLine(Indent(JsonFormatter.Default.Format(request.Current)));
        }

        if (a.Edited)
        {
            console.WriteLine("edited (what will run):");
            console.WriteLine(Indent(JsonFormatter.Default.Format(a.FinalArguments)));
            foreach (var op in a.Diff)
            {
                console.WriteLine($"  {op.Op} {op.Path}{(op.Value is null ? string.Empty : " = " + JsonFormatter.Default.Format(op.Value))}");
            }
        }

        if (a.Decisions.Count > 0)
        {
            var decisions = new Table().Border(TableBorder.Rounded).AddColumns("Approver", "Verdict", "Reason", "At");
            foreach (var d in a.Decisions)
            {
                decisions.AddRow(Markup.Escape(d.Approver), Verdict(d.Verdict), Markup.Escape(d.Reason), d.At?.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) ?? string.Empty);
            }

            console.Write(decisions);
        }
    }

    /// <summary>One line for a decision's result, e.g. <c>approved 3f…: APPROVED (1 of 1 approvals)</c>.</summary>
    public static string Decided(string verb, Approval a) =>
        $"{verb} {a.ApprovalId}: now {State(a.State)}{(a.State is ApprovalState.Pending or ApprovalState.Escalated ? $" ({Progress(a)} approvals, pool {a.Pool})" : string.Empty)}";

    /// <summary>One line per change seen by <c>watch</c>.</summary>
    public static string Change(Approval a, DateTimeOffset at)
    {
        var last = a.Decisions.Count > 0 ? a.Decisions[^1] : null;
        var by = last is null ? string.Empty : $"; last decision: {last.Approver} {Verdict(last.Verdict)}{(last.Reason.Length > 0 ? $" ({last.Reason})" : string.Empty)}";
        return $"{at:HH:mm:ss} {State(a.State)} seq {a.Seq}, pool {a.Pool}, {Progress(a)} approvals{by}";
    }

    public static string State(ApprovalState state) => Name(state.ToString());

    public static string Verdict(DecisionVerdict verdict) => Name(verdict.ToString());

    public static string Progress(Approval a)
    {
        var approvers = a.Decisions.Where(d => d.Verdict is DecisionVerdict.Approve or DecisionVerdict.EditAndApprove).Select(d => d.Approver).Distinct().Count();
        return $"{approvers} of {Math.Max(1, a.Quorum)}";
    }

    private static string Deadline(Approval a, DateTimeOffset now)
    {
        if (a.Deadline is null)
        {
            return string.Empty;
        }

        var left = a.Deadline.ToDateTimeOffset() - now;
        if (left <= TimeSpan.Zero)
        {
            return "passed";
        }

        return left.TotalHours >= 1 ? $"in {(int)left.TotalHours}h{left.Minutes:00}m" : $"in {left.Minutes}m{left.Seconds:00}s";
    }

    private static string Name(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));

    private static string Indent(string json) => "  " + json;
}
