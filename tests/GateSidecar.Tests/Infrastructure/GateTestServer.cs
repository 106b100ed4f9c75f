using Gate.Client;
using GateSidecar.Hosting;
using GateSidecar.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Tests.Infrastructure;

/// <summary>How to build a <see cref="GateTestServer"/>.</summary>
internal sealed class GateTestServerOptions
{
    /// <summary>Loopback, both ports picked by the OS, throw-away database.</summary>
    public GateOptions Options { get; set; } = new() { GrpcPort = 0, HttpPort = 0, SqlitePath = ":memory:" };

    public List<Action<WebApplicationBuilder>> ConfigureServices { get; } = [];

    /// <summary>Registrations of test-only gRPC methods, HTTP endpoints, middleware.</summary>
    public List<Action<WebApplication, GrpcServiceRegistry>> ConfigureApp { get; } = [];
}

/// <summary>
/// The real sidecar host (<see cref="GateHost.Build"/>) running in-process on real Kestrel, on
/// loopback port 0, with a <see cref="GateChannel"/> to it and its logs captured.
/// </summary>
internal sealed class GateTestServer : IAsyncDisposable
{
    private readonly List<GateChannel> _channels = [];

    private GateTestServer(WebApplication app, TestLogSink logs)
    {
        App = app;
        Logs = logs;
        var endpoints = app.Services.GetRequiredService<GateEndpoints>();
        GrpcAddress = endpoints.GrpcAddress;
        HttpAddress = endpoints.HttpAddress;
        Channel = CreateChannel();
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public Uri GrpcAddress { get; }

    public Uri HttpAddress { get; }

    /// <summary>A channel to the gRPC port, disposed with the server.</summary>
    public GateChannel Channel { get; }

    public TestLogSink Logs { get; }

    public static async Task<GateTestServer> StartAsync(Action<GateTestServerOptions>? configure = null)
    {
        var settings = new GateTestServerOptions();
        configure?.Invoke(settings);
        var logs = new TestLogSink();
        var app = GateHost.Build(
            settings.Options,
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(logs);
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
                foreach (var action in settings.ConfigureServices)
                {
                    action(builder);
                }
            },
            (application, registry) =>
            {
                foreach (var action in settings.ConfigureApp)
                {
                    action(application, registry);
                }
            });

        try
        {
            await app.StartAsync().WaitAsync(TestTimeouts.Default);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new GateTestServer(app, logs);
    }

    /// <summary>Another channel to the gRPC port (own connections), disposed with the server.</summary>
    public GateChannel CreateChannel(GateChannelOptions? options = null)
    {
        var channel = GateChannel.ForAddress(GrpcAddress, options);
        lock (_channels)
        {
            _channels.Add(channel);
        }

        return channel;
    }

    public T GetRequiredService<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        lock (_channels)
        {
            foreach (var channel in _channels)
            {
                channel.Dispose();
            }
        }

        try
        {
            await App.StopAsync().WaitAsync(TestTimeouts.Default);
        }
        finally
        {
            await App.DisposeAsync();
        }
    }
}
