using System.CommandLine;
using Gate.Client;
using Gate.V1;

namespace GateCtl.Commands.Audit;

/// <summary>
/// <c>gatectl audit verify [--server URL]</c>: re-checks the whole chain (and the pruning checkpoint);
/// prints <c>ok: …</c> and exits 0, or the first bad entry and exits 1.
/// </summary>
internal static class VerifyCommand
{
    public static Command Build()
    {
        var server = AuditCommands.ServerOption();
        var command = new Command("verify", "Re-check the audit hash chain and checkpoint signature; exit 1 when they do not verify.") { server };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetRequiredValue(server), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(TextWriter output, TextWriter error, string server, CancellationToken cancellationToken)
    {
        using var channel = AuditCommands.Connect(server, error);
        if (channel is null)
        {
            return 1;
        }

        VerifyResponse result;
        try
        {
            result = await new AuditClient(channel).VerifyAsync(new VerifyRequest(), AuditCommands.Call(cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            AuditCommands.WriteFailure(error, "Audit.Verify", server, ex);
            return 1;
        }

        if (result.Ok)
        {
            output.WriteLine($"ok: {result.Detail}");
            return 0;
        }

        output.WriteLine($"NOT OK: first bad entry seq {result.FirstBadSeq} ({result.EntriesChecked} entries checked)");
        output.WriteLine(result.Detail);
        return 1;
    }
}
