using GateSidecar.Approvers.Notifications;

namespace GateSidecar.Approvers.Http;

/// <summary>
/// The approvers' side of the HTTP port: the JSON API (SPEC §7), the console, its live feed, the
/// inbound decision webhook, and the outbound notifications that run beside them.
/// </summary>
internal static class ApproverHttp
{
    public static void AddServices(IServiceCollection services, NotificationSettings notifications)
    {
        services.AddSingleton<ApprovalsApi>();
        services.AddSingleton<ApproverInfoApi>();
        services.AddSingleton<InsightsApi>();
        services.AddSingleton<ApproverEventStream>();
        services.AddSingleton<DecisionWebhook>();
        services.AddSingleton<ConsoleAssets>();
        services.AddSingleton(notifications);
        services.AddSingleton<NotificationStats>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
    }

    public static void Map(WebApplication app)
    {
        var services = app.Services;
        ApiExceptionGuard.Use(app);
        services.GetRequiredService<ApprovalsApi>().Map(app);
        services.GetRequiredService<ApproverInfoApi>().Map(app);
        services.GetRequiredService<InsightsApi>().Map(app);
        services.GetRequiredService<ApproverEventStream>().Map(app);
        services.GetRequiredService<DecisionWebhook>().Map(app);
        services.GetRequiredService<ConsoleAssets>().Map(app);

        // Unknown API paths answer in the API's own error format rather than an empty 404.
        app.Map("/api/{**rest}", static http => ApiError.NotFound($"no API endpoint {http.Request.Method} {http.Request.Path}: see docs/console.md for the list").WriteAsync(http));
    }
}
