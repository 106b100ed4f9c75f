using Gate.Client.Evidence;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Redis;
using GateSidecar.Approvals.Sqlite;
using GateSidecar.Approvers;
using GateSidecar.Audit;
using GateSidecar.Approvers.Http;
using GateSidecar.Approvers.Notifications;
using GateSidecar.Policy;
using GateSidecar.Telemetry;
using GateSidecar.Tokens;

namespace GateSidecar.Hosting;

/// <summary>
/// Composes the whole sidecar: loads the policy, approvers and signing keys (every problem reported
/// before anything starts), builds the store, the approval service, the handlers and the HTTP
/// endpoints on top of <see cref="GateHost"/>.
/// </summary>
internal static class GateApp
{
    /// <summary>
    /// Builds the app, or returns every reason it cannot start. <paramref name="wrapStore"/>, when
    /// given, wraps the configured store (tests observe store calls or act between them).
    /// </summary>
    public static (WebApplication? App, IReadOnlyList<string> Errors) Build(GateOptions options, TimeProvider? time = null, Func<IApprovalStore, IApprovalStore>? wrapStore = null)
    {
        var errors = new List<string>();
        time ??= TimeProvider.System;

        if (string.IsNullOrWhiteSpace(options.PolicyPath))
        {
            errors.Add("--policy FILE is required: the YAML policy (see examples/policy.yaml)");
        }

        ApproverDirectory approvers = ApproverDirectory.Empty;
        if (!string.IsNullOrWhiteSpace(options.ApproversPath))
        {
            var loaded = ApproverDirectory.Load(options.ApproversPath);
            errors.AddRange(loaded.Errors);
            approvers = loaded.Directory ?? ApproverDirectory.Empty;
        }

        SigningKeyRing? keys = null;
        try
        {
            keys = options.Store == GateStoreKind.Sqlite && options.SqlitePath == ":memory:" && options.SigningKeyPaths.Count == 0
                ? SigningKeyRing.CreateEphemeral()
                : SigningKeyRing.LoadOrCreate(options.SigningKeyPaths, DefaultKeyPath(options));
        }
        catch (Exception ex) when (ex is SigningKeyException or IOException or UnauthorizedAccessException)
        {
            errors.Add("--signing-key: " + ex.Message);
        }

        var notifications = NotificationSettings.None;
        if (!string.IsNullOrWhiteSpace(options.NotificationsPath))
        {
            var loaded = NotificationSettingsLoader.Load(options.NotificationsPath);
            errors.AddRange(loaded.Errors);
            notifications = loaded.Settings ?? NotificationSettings.None;
        }

        PolicyProvider? policy = null;
        if (errors.Count == 0 || !string.IsNullOrWhiteSpace(options.PolicyPath))
        {
            try
            {
                policy = new PolicyProvider(options.PolicyPath!, time, Microsoft.Extensions.Logging.Abstractions.NullLogger<PolicyProvider>.Instance);
            }
            catch (PolicyLoadException ex)
            {
                errors.AddRange(ex.Errors.Select(e => $"policy {options.PolicyPath}: {e}"));
            }
        }

        if (errors.Count > 0)
        {
            policy?.Dispose();
            keys?.Dispose();
            return (null, errors);
        }

        var app = GateHost.Build(
            options,
            builder =>
            {
                ConfigureServices(builder, options, time, policy!, approvers, keys!, wrapStore);
                ApproverHttp.AddServices(builder.Services, notifications);
            },
            static (app, registry) =>
            {
                // Built before the first request, disposed (flushed) with the container.
                app.Services.GetRequiredService<TelemetryPipeline>();
                GateHttpEndpoints.Map(app);
            });
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GateSidecar.Hosting.GateApp");
        GateAppLog.SigningKey(logger, keys!.SigningKeyId, string.Join(", ", keys.Sources), keys.Generated ? " (generated now; keep this file to keep tokens verifiable across restarts)" : string.Empty);
        GateAppLog.Started(logger, policy!.Current.Version, options.PolicyPath!, options.Store.ToString().ToLowerInvariant());
        return (app, errors);
    }

    private static void ConfigureServices(WebApplicationBuilder builder, GateOptions options, TimeProvider time, PolicyProvider policy, ApproverDirectory approvers, SigningKeyRing keys, Func<IApprovalStore, IApprovalStore>? wrapStore)
    {
        var services = builder.Services;
        services.AddSingleton(time);
        services.AddSingleton(policy);
        services.AddSingleton(approvers);
        services.AddSingleton(keys);
        services.AddSingleton(sp => TelemetryPipeline.Start(options.Telemetry, sp.GetRequiredService<ILoggerFactory>().CreateLogger("GateSidecar.Telemetry")));
        services.AddSingleton<IApprovalStore>(sp =>
        {
            IApprovalStore store = options.Store == GateStoreKind.Redis
                ? new RedisApprovalStore(RedisOptions(options), time, sp.GetRequiredService<ILogger<RedisApprovalStore>>())
                : new SqliteApprovalStore(
                    options.SqlitePath, time, sp.GetRequiredService<ILogger<SqliteApprovalStore>>(),
                    new SqliteStoreOptions { SyncEveryCommit = options.SqliteSyncFull });
            return new InstrumentedApprovalStore(wrapStore is null ? store : wrapStore(store), time);
        });
        services.AddSingleton(sp => new TokenIssuer(keys, time));
        services.AddSingleton<IApprovalTokens>(sp => new ApprovalTokens(sp.GetRequiredService<TokenIssuer>(), keys.CreateVerifier()));
        services.AddSingleton(sp => new ChangeFeed(sp.GetRequiredService<IApprovalStore>()));
        services.AddSingleton(sp => new ApprovalService(
            sp.GetRequiredService<IApprovalStore>(),
            () => policy.Current,
            sp.GetRequiredService<IApprovalTokens>(),
            sp.GetRequiredService<ChangeFeed>(),
            time,
            sp.GetRequiredService<ILogger<ApprovalService>>(),
            options.OutageAutoPass ? sp.GetRequiredService<OutageBuffer>() : null));
        services.AddSingleton(sp => new ApproverDesk(sp.GetRequiredService<ApprovalService>(), approvers));
        if (options.OutageAutoPass)
        {
            services.AddSingleton<OutageBuffer>();
            services.AddHostedService(sp => sp.GetRequiredService<OutageBuffer>());
        }

        services.AddSingleton<StoreMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreMonitor>());
        services.AddSingleton<DeadlineScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<DeadlineScheduler>());
        services.AddSingleton(sp => new AuditRetention(sp.GetRequiredService<IApprovalStore>(), keys, time, sp.GetRequiredService<ILogger<AuditRetention>>()));
        services.AddSingleton(sp => new RetentionScheduler(
            sp.GetRequiredService<IApprovalStore>(),
            sp.GetRequiredService<AuditRetention>(),
            options.AuditRetention,
            options.Retention,
            time,
            sp.GetRequiredService<ILogger<RetentionScheduler>>()));
        services.AddHostedService(sp => sp.GetRequiredService<RetentionScheduler>());
        if (options.Telemetry.MetricsEnabled)
        {
            services.AddSingleton(sp => new PendingApprovalsTally(
                sp.GetRequiredService<IApprovalStore>(),
                () => [.. policy.Current.Pools.Keys],
                () => sp.GetRequiredService<StoreMonitor>().Ready,
                time,
                sp.GetRequiredService<ILogger<PendingApprovalsTally>>()));
            services.AddHostedService(sp => sp.GetRequiredService<PendingApprovalsTally>());
        }
    }

    private static RedisStoreOptions RedisOptions(GateOptions options) => options.Retention is { } retention
        ? new RedisStoreOptions { Configuration = options.Redis!, TerminalRetention = retention }
        : new RedisStoreOptions { Configuration = options.Redis! };

    /// <summary>Beside the embedded database, so tokens stay verifiable across restarts.</summary>
    private static string DefaultKeyPath(GateOptions options)
    {
        var dir = options.Store == GateStoreKind.Sqlite && options.SqlitePath != ":memory:"
            ? Path.GetDirectoryName(Path.GetFullPath(options.SqlitePath))!
            : Path.GetFullPath(".gate");
        return Path.Combine(dir, "signing-key.pem");
    }
}
