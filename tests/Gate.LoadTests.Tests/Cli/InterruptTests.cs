using System.Diagnostics;
using Gate.LoadTests.Infrastructure;

namespace Gate.LoadTests.Tests.Cli;

/// <summary>
/// SIGTERM to a running <c>gate-load run</c>: the driver stops the sidecar it started, removes its
/// files, reports the run as failed and exits. Runs the real driver and the repository's Release
/// sidecar (scripts/test builds both first).
/// </summary>
public sealed class InterruptTests
{
    [Fact]
    public async Task SigTerm_MidRun_StopsTheSidecarRemovesItsFilesAndFailsTheReport()
    {
        Assert.True(OperatingSystem.IsLinux(), "signals and /proc are Linux");
        var root = LaunchSettings.FindRepositoryRoot();
        Assert.NotNull(root);
        var sidecarDll = LaunchSettings.DefaultSidecarPath(root);
        Assert.True(File.Exists(sidecarDll), $"{sidecarDll} is missing: build first with dotnet build -c Release Approvals.sln");
        var work = Directory.CreateTempSubdirectory("gate-load-interrupt-");
        var driverDll = Path.Combine(AppContext.BaseDirectory, "gate-load.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { driverDll, "run", "fast-path", "--rate", "100", "--warmup", "1s", "--duration", "5m", "--work-dir", work.FullName })
        {
            start.ArgumentList.Add(arg);
        }

        using var driver = Process.Start(start)!;
        var sidecarPid = 0;
        var stdout = driver.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = driver.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            sidecarPid = await WaitForChildAsync(driver.Id, "GateSidecar.dll", TimeSpan.FromSeconds(60));
            Assert.True(sidecarPid > 0, "the driver did not start a sidecar within 60 s");
            Assert.NotEmpty(work.EnumerateDirectories());
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // calls under way

            Assert.True(Signals.Terminate(driver.Id), "SIGTERM to the driver was not delivered");
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(45));
            await driver.WaitForExitAsync(exited.Token);

            var output = await stdout;
            Assert.True(driver.ExitCode == 1, $"exit code {driver.ExitCode}; stdout: {output}; stderr: {await stderr}");
            Assert.Contains("FAIL  the run was not interrupted: stopped by a signal", output);
            Assert.False(IsSidecar(sidecarPid), $"sidecar {sidecarPid} still runs");
            Assert.Empty(work.EnumerateFileSystemInfos());
        }
        finally
        {
            if (!driver.HasExited)
            {
                driver.Kill(entireProcessTree: true);
            }

            if (IsSidecar(sidecarPid))
            {
                using var orphan = Process.GetProcessById(sidecarPid); // left behind by a failing driver
                orphan.Kill();
                await orphan.WaitForExitAsync(CancellationToken.None);
            }

            work.Delete(recursive: true);
        }
    }

    private static bool IsSidecar(int pid)
    {
        try
        {
            return pid > 0 && File.ReadAllText($"/proc/{pid}/cmdline").Contains("GateSidecar.dll", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The pid of a child of <paramref name="parent"/> whose command line contains <paramref name="marker"/>; 0 if none appeared in time.</summary>
    private static async Task<int> WaitForChildAsync(int parent, string marker, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid))
                {
                    continue;
                }

                try
                {
                    var status = File.ReadAllText(Path.Combine(dir, "status"));
                    var ppidLine = status.Split('\n').FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal));
                    if (ppidLine is not null && int.Parse(ppidLine[5..].Trim(), System.Globalization.CultureInfo.InvariantCulture) == parent
                        && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(marker, StringComparison.Ordinal))
                    {
                        return pid;
                    }
                }
                catch (IOException)
                {
                    // the process ended while being read
                }
            }

            await Task.Delay(200);
        }

        return 0;
    }
}
