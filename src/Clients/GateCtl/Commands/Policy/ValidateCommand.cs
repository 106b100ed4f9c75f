using System.CommandLine;
using GateSidecar.Policy;

namespace GateCtl.Commands.Policy;

/// <summary><c>gatectl policy validate FILE</c>: every error, or <c>ok: N rules, version V</c>.</summary>
internal static class ValidateCommand
{
    public static Command Build()
    {
        var file = PolicyCommands.PolicyFileArgument();
        var command = new Command("validate", "Check a policy file and print every error it holds.") { file };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var result = PolicyLoader.LoadFile(parse.GetRequiredValue(file).FullName);
            if (result.Policy is null)
            {
                WriteErrors(output, result.Errors);
                return 1;
            }

            output.WriteLine($"ok: {result.Policy.Rules.Count} rules, version {result.Policy.Version}");
            return 0;
        });
        return command;
    }

    /// <summary>One error per line, then <c>invalid: N errors</c>.</summary>
    internal static void WriteErrors(TextWriter output, IReadOnlyList<string> errors)
    {
        foreach (var error in errors)
        {
            output.WriteLine(error);
        }

        output.WriteLine($"invalid: {errors.Count} {(errors.Count == 1 ? "error" : "errors")}");
    }
}
