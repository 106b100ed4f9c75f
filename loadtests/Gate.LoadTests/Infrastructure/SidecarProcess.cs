using System.Text.RegularExpressions;

namespace Gate.LoadTests.Infrastructure;

/// <summary>
/// A Gate sidecar the driver started (<c>dotnet GateSidecar.dll</c>, ports picked by the sidecar):
/// ready once it printed both "gate: grpc|http listening on ..." lines.
/// </summary>
internal sealed partial class SidecarProcess : IAsyncDisposable
{
    private readonly ChildProcess _child;

    private SidecarProcess(ChildProcess child, Uri grpc, Uri http)
    {
        _child = child;
        GrpcAddress = grpc;
        HttpAddress = http;
    }

    public Uri GrpcAddress { get; }

    public Uri HttpAddress { get; }

    public string LogPath => _child.LogPath;

    public int ProcessId => _child.Id;

    public static async Task<SidecarProcess> StartAsync(string sidecarDll, IReadOnlyList<string> arguments, string logPath, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(sidecarDll))
        {
            throw new FileNotFoundException($"the sidecar is not built at {sidecarDll}: run 'dotnet build src/GateSidecar -c Release' or pass --sidecar PATH");
        }

        var grpc = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var http = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var child = ChildProcess.Start("dotnet", [sidecarDll, .. arguments], logPath, line =>
        {
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                (match.Groups["kind"].Value == "grpc" ? grpc : http).TrySetResult(new Uri(match.Groups["address"].Value));
            }
        }, environment);

        try
        {
            var ready = Task.WhenAll(grpc.Task, http.Task);
            var exited = child.WaitForExitAsync(CancellationToken.None);
            var first = await Task.WhenAny(ready, exited).WaitAsync(timeout).ConfigureAwait(false);
            if (first != ready)
            {
                throw new InvalidOperationException($"the sidecar exited with code {child.ExitCode} before listening; its log ({logPath}):\n{child.Tail()}");
            }

            return new SidecarProcess(child, grpc.Task.Result, http.Task.Result);
        }
        catch (TimeoutException)
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"the sidecar did not listen within {timeout.TotalSeconds:0} s; its log ({logPath}):\n{child.Tail()}");
        }
        catch
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _child.DisposeAsync();

    [GeneratedRegex(@"^gate: (?<kind>grpc|http) listening on (?<address>https?://\S+)$")]
    private static partial Regex ListeningLine();
}
