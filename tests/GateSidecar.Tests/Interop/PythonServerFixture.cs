using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;

namespace GateSidecar.Tests.Interop;

/// <summary>
/// <c>tests/Interop/python_server.py</c>, a grpcio server of health and the echo service, on a
/// loopback port; stopped by closing its stdin.
/// </summary>
public sealed partial class PythonServerFixture : IAsyncLifetime
{
    private readonly PythonInteropFixture _python = new();
    private Process? _process;

    public Uri Address { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await _python.InitializeAsync();
        var info = new ProcessStartInfo(PythonInteropFixture.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { PythonInteropFixture.Script("python_server.py"), "--gen", _python.GeneratedDirectory, "--port", "0" })
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start python_server.py");
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var match = line is null ? Match.Empty : ListeningLine().Match(line);
        if (!match.Success)
        {
            throw new InvalidOperationException($"python_server.py did not start: {line}\n{await _process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(5))}");
        }

        Address = new Uri($"http://127.0.0.1:{match.Groups["port"].Value}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            _process.StandardInput.Close();
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        await _python.DisposeAsync();
    }

    [GeneratedRegex(@"^python listening on 127\.0\.0\.1:(?<port>\d+)$")]
    private static partial Regex ListeningLine();
}
