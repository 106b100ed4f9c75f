using System.Runtime.InteropServices;

namespace Gate.LoadTests.Reporting;

/// <summary>The machine a report was measured on.</summary>
internal sealed record MachineInfo(string Cpu, int Cores, string MemoryGiB, string Os, string Runtime, string LoadAverage)
{
    public static MachineInfo Current() => new(
        CpuModel(),
        Environment.ProcessorCount,
        TotalMemoryGiB(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription + DriverCollector(),
        LoadAverageNow());

    /// <summary>
    /// Which garbage collector the driver itself runs with: its collections are part of every
    /// latency it measures, and in closed loop they cap the rate it can drive.
    /// </summary>
    private static string DriverCollector() => System.Runtime.GCSettings.IsServerGC
        ? (ServerAdapts() ? " (driver: Server GC, DATAS)" : " (driver: Server GC without DATAS)")
        : System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? " (driver: workstation GC, non-concurrent)" : " (driver: workstation GC)";

    /// <summary>Whether the Server collector adapts its heap count and budgets to the application's size (DATAS, the runtime's default).</summary>
    private static bool ServerAdapts() =>
        !GC.GetConfigurationVariables().TryGetValue("GCDynamicAdaptationMode", out var mode) || Convert.ToInt64(mode, System.Globalization.CultureInfo.InvariantCulture) != 0;

    /// <summary>The machine, and how busy other work kept it when the run started (load average over 1, 5, 15 minutes).</summary>
    public override string ToString() => $"{Cpu}, {Cores} cores, {MemoryGiB} GiB, {Os}, {Runtime}; load average at start {LoadAverage}";

    private static string LoadAverageNow()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string CpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string TotalMemoryGiB()
    {
        var bytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return (bytes / (1024.0 * 1024 * 1024)).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
    }
}
