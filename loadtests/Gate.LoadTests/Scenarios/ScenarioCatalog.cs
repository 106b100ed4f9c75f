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
        (ScenarioRun Run, string Policy, StoreKind Store, int Sidecars) plan = scenario switch
        {
            "fast-path" => (FastPathScenario.RunAsync, FastPathScenario.Policy, options.Store, 1),
            "health-floor" => (HealthFloorScenario.RunAsync, HealthFloorScenario.Policy, options.Store, 1),
            "approval" => (ApprovalScenario.RunAsync, ApprovalScenario.Policy, options.Store, 1),
            "timeout" => (TimeoutScenario.RunAsync, TimeoutScenario.Policy, options.Store, 1),
            "mixed" => (MixedScenario.RunAsync, MixedScenario.Policy, StoreKind.Redis, 2),
            "create-rate" => (CreateRateScenario.RunAsync, CreateRateScenario.Policy, options.Store, 1),
            "decision-latency" => (DecisionLatencyScenario.RunAsync, DecisionLatencyScenario.Policy, options.Store, options.Store == StoreKind.Redis ? 2 : 1),
            _ => throw new ArgumentException($"unknown scenario '{scenario}'", nameof(scenario)),
        };

        ScenarioReport report;
        await using (var deployment = await DeployAsync(launch, targets, plan.Policy, plan.Store, plan.Sidecars, scenario).ConfigureAwait(false))
        {
            report = await plan.Run(deployment, options, progress, cancellationToken).ConfigureAwait(false);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            report.Check("the run was not interrupted", false, string.Create(CultureInfo.InvariantCulture,
                $"stopped by a signal after {report.WallSeconds:0} s: the figures cover part of the planned window only"));
        }

        return report;
    }

    private delegate Task<ScenarioReport> ScenarioRun(Deployment deployment, ScenarioOptions options, ProgressDisplay progress, CancellationToken cancellationToken);

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
