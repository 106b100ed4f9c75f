using System.Diagnostics;
using System.Globalization;

namespace Gate.LoadTests.Measurement;

/// <summary>What a process had used at one moment: CPU time, bytes passed to write(2), bytes sent to storage.</summary>
internal readonly record struct ProcessUsage(TimeSpan Cpu, long WrittenBytes, long StorageBytes);

/// <summary>
/// CPU time and writes of the processes of a run (the driver itself, and the sidecars and
/// redis-server it started), read from /proc. Per call, these are the figures that stay meaningful
/// on a machine other work shares: throughput on an idle machine is about cores / (CPU per call of
/// every process).
/// </summary>
internal sealed class CpuMeter
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly IReadOnlyList<(string Name, int Pid)> _processes;

    public CpuMeter(IReadOnlyList<(string Name, int Pid)> processes)
    {
        _processes = processes;
    }

    /// <summary>Where the sidecars' garbage-collector readings arrive, each under its process name; null without <c>--sidecar-gc</c>.</summary>
    public SidecarGcSink? GcSink { get; init; }

    /// <summary>Usage of each process (and of this driver, named "driver") right now.</summary>
    public IReadOnlyDictionary<string, ProcessUsage> Read()
    {
        var result = new Dictionary<string, ProcessUsage>(StringComparer.Ordinal)
        {
            ["driver"] = new ProcessUsage(Process.GetCurrentProcess().TotalProcessorTime, -1, -1),
        };
        foreach (var (name, pid) in _processes)
        {
            if (TryRead(pid) is { } usage)
            {
                result[name] = usage;
            }
        }

        return result;
    }

    /// <summary>Per call between two readings: CPU microseconds of each process, and bytes written by the processes the driver started.</summary>
    public static IReadOnlyList<(string Name, double Value, string Unit)> PerCall(IReadOnlyDictionary<string, ProcessUsage> before, IReadOnlyDictionary<string, ProcessUsage> after, long calls)
    {
        var result = new List<(string, double, string)>();
        if (calls <= 0)
        {
            return result;
        }

        foreach (var (name, end) in after)
        {
            if (before.TryGetValue(name, out var start))
            {
                result.Add(($"CPU per {{0}}: {name}", (end.Cpu - start.Cpu).TotalMicroseconds / calls, "µs"));
            }
        }

        foreach (var (name, end) in after)
        {
            if (before.TryGetValue(name, out var start) && end.WrittenBytes >= 0 && start.WrittenBytes >= 0)
            {
                result.Add(($"bytes written per {{0}}: {name} (write calls / to storage)", (end.WrittenBytes - start.WrittenBytes) / (double)calls,
                    string.Create(CultureInfo.InvariantCulture, $"B / {(end.StorageBytes - start.StorageBytes) / (double)calls:0} B")));
            }
        }

        return result;
    }

    private static ProcessUsage? TryRead(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var user = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var system = long.Parse(fields[12], CultureInfo.InvariantCulture);
            long written = -1, storage = -1;
            foreach (var line in File.ReadLines($"/proc/{pid}/io"))
            {
                if (line.StartsWith("wchar:", StringComparison.Ordinal))
                {
                    written = long.Parse(line.AsSpan(6).Trim(), CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("write_bytes:", StringComparison.Ordinal))
                {
                    storage = long.Parse(line.AsSpan(12).Trim(), CultureInfo.InvariantCulture);
                }
            }

            return new ProcessUsage(TimeSpan.FromSeconds((user + system) / TicksPerSecond), written, storage);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
