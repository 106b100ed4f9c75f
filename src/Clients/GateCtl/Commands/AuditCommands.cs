using System.CommandLine;
using Gate.Client;
using GateCtl.Commands.Audit;

namespace GateCtl.Commands;

/// <summary><c>gatectl audit verify | export</c>: the sidecar's audit trail, over its <c>gate.v1.Audit</c> service.</summary>
internal static class AuditCommands
{
    public const string DefaultServer = "http://127.0.0.1:7070";

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    public static Command Build()
    {
        var audit = new Command("audit", "Verify or export the audit trail of a running sidecar.");
        audit.Subcommands.Add(VerifyCommand.Build());
        audit.Subcommands.Add(ExportCommand.Build());
        return audit;
    }

    /// <summary>The sidecar's gRPC address every audit command takes.</summary>
    internal static Option<string> ServerOption() => new("--server")
    {
        Description = $"The sidecar's gRPC address (default {DefaultServer}).",
        DefaultValueFactory = _ => DefaultServer,
    };

    internal static CallOptions Call(CancellationToken cancellationToken) =>
        CallOptions.WithTimeout(CallTimeout, cancellationToken);

    /// <summary>Opens a channel, or writes why the address is unusable and returns null.</summary>
    internal static GateChannel? Connect(string server, TextWriter error)
    {
        try
        {
            return GateChannel.ForAddress(server);
        }
        catch (ArgumentException ex)
        {
            error.WriteLine($"--server: {ex.Message}");
            return null;
        }
    }

    /// <summary>One line saying which call failed where, and why.</summary>
    internal static void WriteFailure(TextWriter error, string method, string server, RpcException ex) =>
        error.WriteLine($"{method} at {server} failed: {ex.Status}: {ex.Detail}");
}
