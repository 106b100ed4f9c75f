using System.CommandLine;
using Gate.V1;
using GateCtl.Output;
using GateSidecar.Policy;
using Google.Protobuf;
using Spectre.Console;

namespace GateCtl.Commands.Policy;

/// <summary>
/// <c>gatectl policy eval FILE --call CALL.json [--json]</c>: the decision for one call (proto3 JSON of a
/// <c>CheckRequest</c>), with its route and deadline ladder. Redacted paths print as <c>***</c>.
/// </summary>
internal static class EvalCommand
{
    public static Command Build()
    {
        var file = PolicyCommands.PolicyFileArgument();
        var call = new Option<FileInfo>("--call") { Description = "A CheckRequest in proto3 JSON.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the decision as JSON." };
        var command = new Command("eval", "Evaluate one call against a policy and show the decision.") { file, call, json };
        command.SetAction(parse => Run(
            parse.InvocationConfiguration.Output, parse.GetRequiredValue(file), parse.GetRequiredValue(call), parse.GetValue(json)));
        return command;
    }

    private static int Run(TextWriter output, FileInfo policyFile, FileInfo callFile, bool json)
    {
        var loaded = PolicyLoader.LoadFile(policyFile.FullName);
        if (loaded.Policy is null)
        {
            ValidateCommand.WriteErrors(output, loaded.Errors);
            return 1;
        }

        CheckRequest request;
        try
        {
            request = JsonParser.Default.Parse<CheckRequest>(File.ReadAllText(callFile.FullName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidProtocolBufferException or InvalidJsonException)
        {
            output.WriteLine($"{callFile.FullName}: not a readable CheckRequest in proto3 JSON: {e.Message}");
            return 1;
        }

        if (string.IsNullOrEmpty(request.Tool))
        {
            output.WriteLine($"{callFile.FullName}: the call has no \"tool\"; add e.g. \"tool\": \"payments.refund\"");
            return 1;
        }

        var evaluation = EvalReport.Create(loaded.Policy, request);
        if (json)
        {
            output.WriteLine(evaluation.ToJson());
        }
        else
        {
            WriteHuman(ConsoleFactory.Create(output), evaluation);
        }

        return 0;
    }

    private static void WriteHuman(IAnsiConsole console, EvalReport report)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("verdict", report.Verdict);
        grid.AddRow("tier", report.Tier);
        grid.AddRow("rule", report.Rule.Length == 0 ? "(default)" : report.Rule);
        grid.AddRow("reason", Markup.Escape(report.Reason));
        grid.AddRow("policy", Markup.Escape(report.PolicyVersion));
        if (report.Pending)
        {
            grid.AddRow("pool", Markup.Escape(report.Pool));
            grid.AddRow("quorum", report.Quorum.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        console.Write(grid);
        if (report.Impact.Count > 0)
        {
            var impact = new Table().AddColumn("impact").AddColumn("value");
            foreach (var (label, value) in report.Impact)
            {
                impact.AddRow(Markup.Escape(label), Markup.Escape(value ?? "(absent)"));
            }

            console.Write(impact);
        }

        if (report.Pending)
        {
            var ladder = new Table().AddColumn("level").AddColumn("pool").AddColumn("timeout").AddColumn("deadline").AddColumn("on timeout");
            foreach (var rung in report.Ladder)
            {
                ladder.AddRow(rung.Level.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(rung.Pool), rung.Timeout, "+" + rung.Deadline, rung.OnTimeout);
            }

            console.Write(ladder);
        }
    }
}
