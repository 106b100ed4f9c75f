using System.Globalization;
using Gate.Client;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Load;
using Gate.LoadTests.Measurement;
using Gate.LoadTests.Reporting;
using Grpc.Health.V1;

namespace Gate.LoadTests.Scenarios;

/// <summary>
/// The floor under scenario (a): <c>grpc.health.v1.Health/Check</c>, which does nothing but answer,
/// on the same sidecar, through the same driver, runner and connections as the fast path, at the
/// same rate (or closed loop). What it measures is what any call costs on this machine before Gate
/// does anything: the driver's client, HTTP/2 on a loopback socket, Kestrel, the thread hand-offs
/// and the host's scheduling. A fast-path figure can be read against it; no target applies.
/// </summary>
internal static class HealthFloorScenario
{
    public const string Policy = FastPathScenario.Policy;

    public static async Task<ScenarioReport> RunAsync(Deployment deployment, ScenarioOptions options, ProgressDisplay progress, CancellationToken cancellationToken)
    {
        var sidecar = deployment[0];
        var stream = CallStream.Plan(deployment, options, "health-floor",
            $"Transport floor, maximum throughput: Health/Check, {options.Concurrency} callers back to back",
            $"Transport floor: Health/Check at {options.Rate:0} calls/s");
        var report = stream.Report;
        report.Parameter("call", "grpc.health.v1.Health/Check (service \"\"): answered SERVING by the sidecar with no store, policy or token work");

        var clients = Enumerable.Range(0, sidecar.Connections).Select(i => new HealthClient(sidecar.Channel(i))).ToArray();
        var request = new HealthCheckRequest();
        long notServing = 0;
        string? firstNotServing = null;

        async Task Call(long i)
        {
            var response = await clients[(int)(i % clients.Length)].CheckAsync(request).ConfigureAwait(false);
            if (response.Status != HealthCheckResponse.Types.ServingStatus.Serving && Interlocked.Increment(ref notServing) == 1)
            {
                firstNotServing = $"call {i}: {response.Status}";
            }
        }

        await stream.RunAsync(Call, "Health/Check latency", progress, cancellationToken).ConfigureAwait(false);
        report.Check("every answer is SERVING", Interlocked.Read(ref notServing) == 0,
            notServing == 0 ? $"{stream.Recorder.Statuses.Ok} SERVING answers" : $"{notServing} not SERVING; first: {firstNotServing}");
        return report;
    }
}
