using System.CommandLine;
using GateCtl.Output;
using GateSidecar.Policy;
using GateSidecar.Policy.Testing;
using Spectre.Console;

namespace GateCtl.Commands.Policy;

/// <summary><c>gatectl policy test FILE CASES.yaml</c>: a PASS/FAIL line per case and <c>N passed, M failed</c>.</summary>
internal static class TestCommand
{
    public static Command Build()
    {
        var file = PolicyCommands.PolicyFileArgument();
        var cases = new Argument<FileInfo>("CASES") { Description = "The cases file: cases: [{name, call, expect}]." };
        var command = new Command("test", "Run the expected decisions of a cases file against a policy.") { file, cases };
        command.SetAction(parse => Run(parse.InvocationConfiguration.Output, parse.GetRequiredValue(file), parse.GetRequiredValue(cases)));
        return command;
    }

    private static int Run(TextWriter output, FileInfo policyFile, FileInfo casesFile)
    {
        var loaded = PolicyLoader.LoadFile(policyFile.FullName);
        if (loaded.Policy is null)
        {
            ValidateCommand.WriteErrors(output, loaded.Errors);
            return 1;
        }

        var suite = PolicyTestSuite.LoadFile(casesFile.FullName, allowInlinePolicy: false);
        if (suite.Errors.Count > 0)
        {
            ValidateCommand.WriteErrors(output, suite.Errors);
            return 1;
        }

        var console = ConsoleFactory.Create(output);
        int passed = 0, failed = 0;
        foreach (var testCase in suite.Cases)
        {
            var result = testCase.Run(loaded.Policy);
            if (result.Passed)
            {
                passed++;
                console.MarkupLine($"[green]PASS[/] {Markup.Escape(testCase.Name)}");
                continue;
            }

            failed++;
            console.MarkupLine($"[red]FAIL[/] {Markup.Escape(testCase.Name)} (line {testCase.Line}): {Markup.Escape(string.Join("; ", result.Mismatches))}");
            console.MarkupLine($"     got {Markup.Escape(result.Actual)}");
        }

        output.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
