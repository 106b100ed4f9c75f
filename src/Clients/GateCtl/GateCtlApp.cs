using System.CommandLine;
using GateCtl.Commands;

namespace GateCtl;

/// <summary>
/// The <c>gatectl</c> command tree. Each command group lives in <c>Commands/</c> as a static <c>Build()</c>; add a
/// group by adding one line to <see cref="BuildRoot"/>. Exit codes: 0 success, 1 any failure.
/// </summary>
internal static class GateCtlApp
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Operate the Gate sidecar: check policies, verify and export the audit trail, decide approvals (token from GATE_TOKEN).");
        root.Subcommands.Add(PolicyCommands.Build());
        root.Subcommands.Add(AuditCommands.Build());
        foreach (var command in ApproverCommands.Build())
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>Runs one command line with the given writers (the tests pass string writers).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return BuildRoot().Parse(args).Invoke(configuration);
    }
}
