namespace Gate.Examples.Agent;

/// <summary>Where the sidecar listens: scripts/run's defaults, or GATE_GRPC_PORT / GATE_HTTP_PORT as given to it.</summary>
internal sealed record AgentSettings(Uri GrpcAddress, Uri HttpAddress, string ApproverToken)
{
    public static AgentSettings FromEnvironment() => new(
        new Uri($"http://127.0.0.1:{Environment.GetEnvironmentVariable("GATE_GRPC_PORT") ?? "7070"}"),
        new Uri($"http://127.0.0.1:{Environment.GetEnvironmentVariable("GATE_HTTP_PORT") ?? "7080"}"),
        Environment.GetEnvironmentVariable("GATE_APPROVER_TOKEN") ?? "alice-dev-token");
}
