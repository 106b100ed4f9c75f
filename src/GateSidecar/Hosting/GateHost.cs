using GateSidecar.Transport;
using GateSidecar.Transport.Health;
using GateSidecar.Transport.Reflection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GateSidecar.Hosting;

/// <summary>
/// Builds the sidecar's <see cref="WebApplication"/>: Kestrel with an HTTP/2-only gRPC endpoint and an
/// HTTP/1.1 endpoint, the gRPC transport, health and reflection. Other features plug in through
/// <c>configureServices</c> (DI) and <c>configureApp</c> (gRPC methods, HTTP endpoints).
/// </summary>
internal static class GateHost
{
    public static WebApplication Build(
        GateOptions options,
        Action<WebApplicationBuilder>? configureServices = null,
        Action<WebApplication, GrpcServiceRegistry>? configureApp = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = GateOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid options:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors), nameof(options));
        }

        GateOptionsValidator.TryParseListen(options.Listen, out var address);
        // The sidecar reads no appsettings files: no file watchers for them (each costs an inotify
        // instance, a per-user resource that many sidecars on one host would exhaust).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ApplicationName = typeof(GateHost).Assembly.GetName().Name,
        });

        // stdout carries only the "listening" lines; logs go to stderr. Per-request framework logs
        // stay off the hot path.
        builder.Logging.ClearProviders();
        if (options.LogFormat == GateLogFormat.Json)
        {
            // Scopes carry the current span's TraceId and SpanId on every line.
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        }

        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // With this category enabled at any level, hosting opens a logging scope for every request.
        // It only logs request start/stop; failures are logged by Kestrel and the transport.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        var tls = options.UsesTls ? GateTlsMaterial.Load(options) : null;
        if (tls is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.Services.AddSingleton(tls);
        }

        var endpoints = new GateEndpoints(tls is not null);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Listen(address, options.GrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (tls is not null)
                {
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = tls.Certificate,
                        ClientCertificateMode = tls.ClientCa is null ? ClientCertificateMode.NoCertificate : ClientCertificateMode.RequireCertificate,
                        ClientCertificateValidation = tls.ClientCa is null ? null : tls.ValidateClientCertificate,
                    });
                }

                endpoints.GrpcListener = listen;
            });
            kestrel.Listen(address, options.HttpPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                if (tls is not null)
                {
                    listen.UseHttps(tls.Certificate);
                }

                endpoints.HttpListener = listen;
            });
        });

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(endpoints);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new GrpcTransportOptions { MaxMessageBytes = options.MaxMessageBytes });
        services.AddSingleton<GrpcServerRuntime>();
        services.AddSingleton<GrpcServiceRegistry>();
        services.AddSingleton<HealthStatusService>();
        services.AddSingleton<HealthService>();
        services.AddSingleton<ServerReflectionService>();
        configureServices?.Invoke(builder);

        var app = builder.Build();
        var registry = app.Services.GetRequiredService<GrpcServiceRegistry>();
        HealthService.Map(registry, app.Services.GetRequiredService<HealthService>());
        ServerReflectionService.Map(registry, app.Services.GetRequiredService<ServerReflectionService>());
        ContractServices.Map(registry, app.Services);

        // One callback, so the order holds: watchers learn NOT_SERVING before streams are told to end.
        var health = app.Services.GetRequiredService<HealthStatusService>();
        var runtime = app.Services.GetRequiredService<GrpcServerRuntime>();
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            health.MarkStopping();
            runtime.SignalStopping();
        });
        app.Lifetime.ApplicationStarted.Register(() => endpoints.Report(Console.Out));

        // The gRPC port is served before routing: one frozen lookup per call, no endpoint matching.
        app.Use(next =>
        {
            var dispatcher = registry.Build();
            return http => endpoints.IsGrpcPort(http.Connection.LocalPort) ? dispatcher.DispatchAsync(http) : next(http);
        });
        app.UseRouting();

        configureApp?.Invoke(app, registry);
        registry.Build();

        app.MapGet("/healthz", static http =>
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            return http.Response.WriteAsync("ok", http.RequestAborted);
        });

        return app;
    }
}
