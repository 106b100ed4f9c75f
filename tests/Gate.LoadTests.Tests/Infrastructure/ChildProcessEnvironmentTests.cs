using Gate.LoadTests.Infrastructure;

namespace Gate.LoadTests.Tests.Infrastructure;

/// <summary>
/// A process the driver starts (sidecar, redis-server) does not inherit the driver's own
/// garbage-collector settings: a closed-loop run with <c>DOTNET_gcServer=1</c> on the driver must
/// measure the sidecar with the sidecar's collector. Settings given on purpose still reach it.
/// </summary>
public sealed class ChildProcessEnvironmentTests
{
    [Theory]
    [InlineData("DOTNET_gcServer", true)]
    [InlineData("DOTNET_GCgen0size", true)]
    [InlineData("dotnet_gcconcurrent", true)]
    [InlineData("COMPlus_gcServer", true)]
    [InlineData("DOTNET_TieredPGO", false)]
    [InlineData("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", false)]
    [InlineData("PATH", false)]
    public void IsCollectorSetting(string name, bool expected) => Assert.Equal(expected, ChildProcess.IsCollectorSetting(name));

    [Fact]
    public async Task DriverCollectorSettings_AreNotHandedDown_GivenOnesAre()
    {
        const string inherited = "DOTNET_GCgen0MaxBudget";
        var before = Environment.GetEnvironmentVariable(inherited);
        var log = Path.GetTempFileName();
        Environment.SetEnvironmentVariable(inherited, "0x600000");
        try
        {
            await using (var child = ChildProcess.Start("/usr/bin/env", [], log, environment: new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["GATE_CHILD_TEST"] = "given" }))
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await child.WaitForExitAsync(timeout.Token);
            }

            var lines = await File.ReadAllLinesAsync(log, TestContext.Current.CancellationToken);
            Assert.Contains(lines, l => l.EndsWith("GATE_CHILD_TEST=given", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.EndsWith("DOTNET_gcServer=0", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains(inherited, StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("PATH=", StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(inherited, before);
            File.Delete(log);
        }
    }
}
