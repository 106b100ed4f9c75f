using Gate.Examples.Agent;

// gate-example-agent                       run the agent's tool calls through Gate
// gate-example-agent approve ID [AMOUNT]   approve a pending call as alice (with AMOUNT: edit the amount, then approve)
var settings = AgentSettings.FromEnvironment();
try
{
    return args is ["approve", var id, ..]
        ? await Approver.RunAsync(settings, id, args.Length > 2 ? args[2] : null)
        : await RefundAgent.RunAsync(settings);
}
catch (Gate.Client.RpcException ex)
{
    Console.Error.WriteLine($"Gate at {settings.GrpcAddress} answered {ex.Status}: {ex.Detail}");
    Console.Error.WriteLine("Is the sidecar running? Start it with scripts/run.");
    return 1;
}
