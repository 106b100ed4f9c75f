using System.CommandLine;

namespace GateCtl.Commands;

/// <summary>The options every approver command takes, created once per command.</summary>
internal sealed class ApproverOptions
{
    public const string DefaultServer = "http://127.0.0.1:7070";
    public const string DefaultApi = "http://127.0.0.1:7080";

    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"The sidecar's gRPC address (default: GATE_SERVER, else {DefaultServer}).",
    };

    public Option<string?> Api { get; } = new("--api")
    {
        Description = $"The sidecar's HTTP address, to read one approval (default: GATE_API, else {DefaultApi}).",
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print JSON (the proto3 JSON mapping) instead of tables, for scripts.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Api);
        command.Options.Add(Json);
    }
}
