using GateSidecar.Transport;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace GateSidecar.Tests.Infrastructure;

/// <summary>
/// A shared sidecar host for a test class. Derived fixtures add their own registrations in
/// <see cref="Configure"/>; this one serves the test echo service besides the standard services.
/// </summary>
public class GateServerFixture : IAsyncLifetime
{
    internal GateTestServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await GateTestServer.StartAsync(Configure);

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private protected virtual void Configure(GateTestServerOptions options)
    {
    }
}

/// <summary>A sidecar host that also serves <c>gate.testing.v1.Echo</c>.</summary>
public class EchoServerFixture : GateServerFixture
{
    internal EchoService Echo => Server.GetRequiredService<EchoService>();

    private protected override void Configure(GateTestServerOptions options) => options.AddEcho();
}

internal static class EchoRegistration
{
    /// <summary>Registers the echo service in the host under test.</summary>
    public static GateTestServerOptions AddEcho(this GateTestServerOptions options)
    {
        options.ConfigureServices.Add(builder => builder.Services.AddSingleton<EchoService>());
        options.ConfigureApp.Add((app, registry) => app.Services.GetRequiredService<EchoService>().Map(registry));
        return options;
    }
}
