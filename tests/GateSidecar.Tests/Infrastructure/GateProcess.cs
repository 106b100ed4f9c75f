using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace GateSidecar.Tests.Infrastructure;

/// <summary>
/// The sidecar as a separate OS process (<c>dotnet GateSidecar.dll ...</c>), for tests that kill it
/// or stop it with a signal. Ready once both "gate: ... listening on ..." lines have been printed.
/// </summary>
internal sealed partial class GateProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<Uri> _grpc = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Uri> _http = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GateProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public Uri GrpcAddress { get; private set; } = null!;

    public Uri HttpAddress { get; private set; } = null!;

    public bool HasExited => _process.HasExited;

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The sidecar binary built beside the tests.</summary>
    public static string SidecarPath => Path.Combine(AppContext.BaseDirectory, "GateSidecar.dll");

    /// <summary>Starts the sidecar with <paramref name="arguments"/> and waits until it listens.</summary>
    public static async Task<GateProcess> StartAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? startTimeout = null)
    {
        var started = Launch(arguments, environment);
        try
        {
            var ready = Task.WhenAll(started._grpc.Task, started._http.Task);
            var exited = started._process.WaitForExitAsync();
            var first = await Task.WhenAny(ready, exited).WaitAsync(startTimeout ?? TimeSpan.FromSeconds(30));
            if (first != ready)
            {
                throw new InvalidOperationException($"the sidecar exited with code {started._process.ExitCode} before listening:\n{started.StandardError}");
            }

            started.GrpcAddress = started._grpc.Task.Result;
            started.HttpAddress = started._http.Task.Result;
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the sidecar and waits for it to exit (for start-up failures); returns the exit code.</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunToExitAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var process = Launch(arguments, environment);
        await process._process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        process._process.WaitForExit();
        return (process._process.ExitCode, process.StandardOutput, process.StandardError);
    }

    /// <summary>Waits for the process to end; returns its exit code (128 + signal number when a signal ended it).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, then waits for a graceful exit; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan? timeout = null)
    {
        if (kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"could not signal process {_process.Id} (errno {Marshal.GetLastPInvokeError()})");
        }

        await _process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private static GateProcess Launch(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        if (!File.Exists(SidecarPath))
        {
            throw new FileNotFoundException($"the sidecar binary is missing at {SidecarPath}; build the test project first");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(SidecarPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var gate = new GateProcess(process);
        process.OutputDataReceived += (_, e) => gate.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate._stderr)
                {
                    gate._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gate;
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stdout)
        {
            _stdout.AppendLine(line);
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            var address = new Uri(match.Groups["address"].Value);
            (match.Groups["kind"].Value == "grpc" ? _grpc : _http).TrySetResult(address);
        }
    }

    [GeneratedRegex(@"^gate: (?<kind>grpc|http) listening on (?<address>https?://\S+)$")]
    private static partial Regex ListeningLine();

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // A plain P/Invoke keeps the test project free of unsafe code.
    private static extern int kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
