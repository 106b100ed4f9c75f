using System.Diagnostics;
using System.Text;

namespace GateSidecar.Tests.Evidence;

/// <summary>Runs python/gate_evidence.py with Debian's Python (which has the cryptography package).</summary>
internal static class PythonEvidenceScript
{
    private const string Python = "/usr/bin/python3";

    public static string ScriptPath { get; } = Locate();

    public static async Task<(string Stdout, byte[] RawStdout)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ScriptPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {Python}.");
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await copy.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{ScriptPath} {string.Join(' ', arguments)} did not finish within 60 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{ScriptPath} exited with {process.ExitCode}: {await stderr}");
        }

        var raw = stdout.ToArray();
        return (Encoding.UTF8.GetString(raw), raw);
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Approvals.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "GateSidecar.Tests", "Evidence", "python", "gate_evidence.py");
            }
        }

        throw new FileNotFoundException("Cannot find the repository root (Approvals.sln) above " + AppContext.BaseDirectory);
    }
}
