using Gate.Client;
using Gate.V1;
using GateSidecar.Hosting;
using GateSidecar.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace GateSidecar.Tests.Approvals.Functional;

/// <summary>
/// The whole sidecar (policy, approvers, store, handlers) on real Kestrel, 127.0.0.1 port 0, with a
/// temporary directory for its files. Approver tokens are "&lt;id&gt;-token".
/// </summary>
internal sealed class ApprovalSidecar : IAsyncDisposable
{
    public static readonly string[] ApproverIds = SidecarTestFiles.ApproverIds;

    private readonly WebApplication _app;

    private ApprovalSidecar(WebApplication app, string directory, GateChannel channel)
    {
        _app = app;
        Directory = directory;
        Channel = channel;
        Gate = new GateClient(channel);
    }

    public string Directory { get; }

    public GateChannel Channel { get; }

    public GateClient Gate { get; }

    public IServiceProvider Services => _app.Services;

    public Uri HttpAddress => _app.Services.GetRequiredService<GateEndpoints>().HttpAddress;

    /// <summary>Disposed after the sidecar stops (e.g. the Redis server a test started for it).</summary>
    public List<IAsyncDisposable> Owned { get; } = [];

    public ApprovalsClient As(string approverId) => new(Channel, approverId + "-token");

    /// <summary>Writes the policy, approvers and key files into <paramref name="directory"/> (<see cref="SidecarTestFiles"/>).</summary>
    public static void WriteFiles(string directory, string? policyYaml = null) => SidecarTestFiles.Write(directory, policyYaml);

    /// <summary>Sidecar arguments for a process run (see <see cref="Infrastructure.GateProcess"/>).</summary>
    public static List<string> Arguments(string directory, string? redis = null) =>
    [
        "--grpc-port", "0", "--http-port", "0",
        "--policy", Path.Combine(directory, "policy.yaml"),
        "--approvers", Path.Combine(directory, "approvers.yaml"),
        "--signing-key", Path.Combine(directory, "signing-key.pem"),
        .. redis is null ? new[] { "--store", "sqlite", "--sqlite", Path.Combine(directory, "gate.db") } : ["--store", "redis", "--redis", redis],
    ];

    public static async Task<ApprovalSidecar> StartAsync(
        string? directory = null, string? redis = null, string? policyYaml = null, Func<GateOptions, GateOptions>? configure = null,
        Func<GateSidecar.Approvals.IApprovalStore, GateSidecar.Approvals.IApprovalStore>? wrapStore = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "gate-test-" + Guid.NewGuid().ToString("N"));
        if (!File.Exists(Path.Combine(directory, "policy.yaml")))
        {
            WriteFiles(directory, policyYaml);
        }

        var options = new GateOptions
        {
            GrpcPort = 0,
            HttpPort = 0,
            PolicyPath = Path.Combine(directory, "policy.yaml"),
            ApproversPath = Path.Combine(directory, "approvers.yaml"),
            SigningKeyPath = Path.Combine(directory, "signing-key.pem"),
            Store = redis is null ? GateStoreKind.Sqlite : GateStoreKind.Redis,
            SqlitePath = Path.Combine(directory, "gate.db"),
            Redis = redis,
        };
        if (configure is not null)
        {
            options = configure(options);
        }

        var (app, errors) = GateApp.Build(options, wrapStore: wrapStore);
        if (app is null)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
        }

        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var grpc = app.Services.GetRequiredService<GateEndpoints>().GrpcAddress;
        return new ApprovalSidecar(app, directory, GateChannel.ForAddress(grpc));
    }

    public static CheckRequest Refund(double amount, string? callId = null, string onBehalfOf = "zoe", string tenant = "acme") => Call("payments.refund", new Struct
    {
        Fields =
        {
            ["amount"] = Value.ForNumber(amount),
            ["customer_id"] = Value.ForString("c-42"),
            ["card_number"] = Value.ForString("4111111111111111"),
        },
    }, callId, onBehalfOf, tenant);

    public static CheckRequest Call(string tool, Struct? arguments = null, string? callId = null, string onBehalfOf = "zoe", string tenant = "acme") => new()
    {
        CallId = callId ?? "call-" + Guid.NewGuid().ToString("N"),
        Tool = tool,
        Agent = new AgentContext { AgentId = "agent-7", Tenant = tenant, OnBehalfOf = onBehalfOf, SessionId = "s-1" },
        Arguments = arguments ?? new Struct(),
        Context = new CallContext { UserRequest = "refund my order", Reasoning = "order arrived broken" },
    };

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        foreach (var owned in Owned)
        {
            await owned.DisposeAsync();
        }
    }
}
