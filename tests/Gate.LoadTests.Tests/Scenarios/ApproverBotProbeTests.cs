using System.Diagnostics;
using System.Text.RegularExpressions;
using Gate.LoadTests.Infrastructure;

namespace Gate.LoadTests.Tests.Scenarios;

/// <summary>
/// The approver bot proves its StreamPending streams live with probe approvals before the load.
/// A probe created before the sidecar has the stream is never delivered to it; with the streams
/// opened 3 s late, the first rounds of probes are missed, later rounds prove the streams, and the
/// missed probes are still decided. Runs the real driver and the repository's Release sidecar
/// (scripts/test builds both first).
/// </summary>
public sealed partial class ApproverBotProbeTests
{
    [Fact]
    public async Task StreamsOpenedLate_ProbeRoundsRepeatAndEveryProbeIsDecided()
    {
        var root = LaunchSettings.FindRepositoryRoot();
        Assert.NotNull(root);
        var sidecarDll = LaunchSettings.DefaultSidecarPath(root);
        Assert.True(File.Exists(sidecarDll), $"{sidecarDll} is missing: build first with dotnet build -c Release Approvals.sln");
        var reports = Directory.CreateTempSubdirectory("gate-load-probes-");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "gate-load.dll"), "run", "approval", "--agents", "5", "--ramp", "0s", "--warmup", "1s", "--duration", "2s",
            "--think-min", "10ms", "--think-max", "50ms", "--bot-stream-delay", "3s", "--report-dir", reports.FullName,
        })
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var driver = Process.Start(start)!;
            var stdout = driver.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = driver.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
            {
                await driver.WaitForExitAsync(timeout.Token);
            }

            var output = await stdout;
            Assert.True(driver.ExitCode == 0, $"exit code {driver.ExitCode}; stdout: {output}; stderr: {await stderr}");
            var probes = ProbeCount().Match(output);
            Assert.True(probes.Success, output);
            Assert.True(int.Parse(probes.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 2, $"one round of probes was enough although the streams opened 3 s late: {probes.Value}");
            Assert.Contains("pass  no approval left pending", output, StringComparison.Ordinal);

            // The Decide round-trip row counts the measured window only: the probes and the
            // warm-up's decisions are decided (and counted as outcomes) but not timed.
            var decided = DecidedCount().Match(output);
            var timed = DecideRoundTrips().Match(output);
            Assert.True(decided.Success && timed.Success, output);
            var decidedCount = int.Parse(decided.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var timedCount = int.Parse(timed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(timedCount > 0 && timedCount < decidedCount, $"{timedCount} Decide round trips timed of {decidedCount} Decide calls: the probes and the warm-up's are not in the measured window");
        }
        finally
        {
            reports.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"\+ (\d+) probe\(s\)")]
    private static partial Regex ProbeCount();

    [GeneratedRegex(@"(\d+) Decide calls OK")]
    private static partial Regex DecidedCount();

    [GeneratedRegex(@"Decide round trip: n=(\d+)")]
    private static partial Regex DecideRoundTrips();
}
