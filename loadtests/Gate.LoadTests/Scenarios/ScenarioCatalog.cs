using System.Globalization;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Reporting;

namespace Gate.LoadTests.Scenarios;

/// <summary>Which sidecars each scenario needs, and how to run it on them.</summary>
internal static class ScenarioCatalog
{
    /// <summary>
    /// Runs the scenario on the sidecars it needs. A run cut short by SIGINT/SIGTERM
    /// (<paramref name="cancellationToken"/>) gets a failed check: its other checks and figures cover
    /// only the calls made until then.
    /// </summary>
    public static async Task<ScenarioReport> RunAsync(
        string scenario,
        ScenarioOptions options,
        LaunchSettings launch,
        (IReadOnlyList<Uri> Grpc, IReadOnlyList<Uri> Http) targets,
        ProgressDisplay progress,
        CancellationToken cancellationToken)
    {
        var report = await RunOnDeploymentAsync(scenario, options, launch, targets, progress, cancellationToken).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested)
        {
            report.Check("the run was not interrupted", false, string.Create(CultureInfo.InvariantCulture,
                $"stopped by a signal after {report.WallSeconds:0} s: the figures cover part of the planned window only"));
        }

        return report;
    }

    private static async Task<ScenarioReport> RunOnDeploymentAsync(
        string scenario,
        ScenarioOptions options,
        LaunchSettings launch,
        (IReadOnlyList<Uri> Grpc, IReadOnlyList<Uri> Http) targets,
        ProgressDisplay progress,
        CancellationToken cancellationToken)
    {
        switch (scenario)
        {
            case "fast-path":
            {
                await using var deployment = await DeployAsync(launch, targets, FastPathScenario.Policy, options.Store, 1, scenario).ConfigureAwait(false);
                return await FastPathScenario.RunAsync(deployment, options, progress, cancellationToken).ConfigureAwait(false);
            }

            case "approval":
            {
                await using var deployment = await DeployAsync(launch, targets, ApprovalScenario.Policy, options.Store, 1, scenario).ConfigureAwait(false);
                return await ApprovalScenario.RunAsync(deployment, options, progress, cancellationToken).ConfigureAwait(false);
            }

            case "timeout":
            {
                await using var deployment = await DeployAsync(launch, targets, TimeoutScenario.Policy, options.Store, 1, scenario).ConfigureAwait(false);
                return await TimeoutScenario.RunAsync(deployment, options, progress, cancellationToken).ConfigureAwait(false);
            }

            case "mixed":
            {
                await using var deployment = await DeployAsync(launch, targets, MixedScenario.Policy, StoreKind.Redis, 2, scenario).ConfigureAwait(false);
                return await MixedScenario.RunAsync(deployment, options, progress, cancellationToken).ConfigureAwait(false);
            }

            case "create-rate":
            {
                await using var deployment = await DeployAsync(launch, targets, CreateRateScenario.Policy, options.Store, 1, scenario).ConfigureAwait(false);
                return await CreateRateScenario.RunAsync(deployment, options, progress, cancellationToken).ConfigureAwait(false);
            }

            case "decision-latency":
            {
                var count = options.Store == StoreKind.Redis ? 2 : 1;
                await using var deployment = await DeployAsync(launch, targets, DecisionLatencyScenario.Policy, options.Store, count, scenario).ConfigureAwait(false);
                return await DecisionLatencyScenario.RunAsync(deployment, options, progress, cancellationToken).ConfigureAwait(false);
            }

            default:
                throw new ArgumentException($"unknown scenario '{scenario}'", nameof(scenario));
        }
    }

    private static async Task<Deployment> DeployAsync(LaunchSettings launch, (IReadOnlyList<Uri> Grpc, IReadOnlyList<Uri> Http) targets, string policy, StoreKind store, int count, string label)
    {
        if (targets.Grpc.Count == 0)
        {
            return await Deployment.StartAsync(launch, policy, store, count, label).ConfigureAwait(false);
        }

        if (targets.Grpc.Count < count)
        {
            throw new ArgumentException($"scenario '{label}' needs {count} sidecars sharing one Redis; pass --target {count} times (or no --target to let the driver start them)");
        }

        return Deployment.Attach(targets.Grpc, targets.Http, launch.Connections);
    }
}
