using System.CommandLine;
using GateCtl.Commands.Policy;

namespace GateCtl.Commands;

/// <summary><c>gatectl policy validate | eval | test</c>.</summary>
internal static class PolicyCommands
{
    public static Command Build()
    {
        var policy = new Command("policy", "Validate a policy file, evaluate a call against it, or run its test cases.");
        policy.Subcommands.Add(ValidateCommand.Build());
        policy.Subcommands.Add(EvalCommand.Build());
        policy.Subcommands.Add(TestCommand.Build());
        return policy;
    }

    /// <summary>The policy file argument every policy command takes first.</summary>
    internal static Argument<FileInfo> PolicyFileArgument() => new("FILE") { Description = "The policy YAML file." };
}
