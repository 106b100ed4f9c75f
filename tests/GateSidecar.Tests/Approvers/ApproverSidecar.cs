using System.Net.Http.Headers;
using System.Text;
using Gate.Client;
using Gate.V1;
using GateSidecar.Hosting;
using GateSidecar.Tests.Approvals;
using GateSidecar.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GateSidecar.Tests.Approvers;

/// <summary>
/// The whole sidecar on real Kestrel (127.0.0.1, port 0) with a SQLite file in a temporary directory,
/// as approvers meet it: the gRPC port for agents and approver tools, the HTTP port for the JSON API,
/// console and webhooks. Approvers alice, bob, carol, dave and erin hold tokens "&lt;id&gt;-token"; the
/// policy is <see cref="TestPolicies.Yaml"/>. Logs are collected in <see cref="Logs"/>.
/// </summary>
internal sealed class ApproverSidecar : IAsyncDisposable
{
    public static readonly string[] ApproverIds = SidecarTestFiles.ApproverIds;

    private readonly WebApplication _app;

    static ApproverSidecar() => DisableConfigurationWatchers();

    private ApproverSidecar(WebApplication app, string directory, TestLogSink logs)
    {
        _app = app;
        Directory = directory;
        Logs = logs;
        var endpoints = app.Services.GetRequiredService<GateEndpoints>();
        GrpcAddress = endpoints.GrpcAddress;
        HttpAddress = endpoints.HttpAddress;
        Channel = GateChannel.ForAddress(GrpcAddress);
        Gate = new GateClient(Channel);
        Http = new HttpClient { BaseAddress = HttpAddress, Timeout = TimeSpan.FromSeconds(20) };
    }

    public string Directory { get; }

    public Uri GrpcAddress { get; }

    public Uri HttpAddress { get; }

    public GateChannel Channel { get; }

    public GateClient Gate { get; }

    /// <summary>A client of the HTTP port (no credentials of its own).</summary>
    public HttpClient Http { get; }

    public TestLogSink Logs { get; }

    public IServiceProvider Services => _app.Services;

    public ApprovalsClient As(string approverId) => new(Channel, approverId + "-token");

    public static async Task<ApproverSidecar> StartAsync(Func<GateOptions, GateOptions>? configure = null, string? policyYaml = null, Func<GateSidecar.Approvals.IApprovalStore, GateSidecar.Approvals.IApprovalStore>? wrapStore = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "gate-approvers-" + Guid.NewGuid().ToString("N"));
        WriteFiles(directory, policyYaml);
        var options = new GateOptions
        {
            GrpcPort = 0,
            HttpPort = 0,
            PolicyPath = Path.Combine(directory, "policy.yaml"),
            ApproversPath = Path.Combine(directory, "approvers.yaml"),
            SigningKeyPath = Path.Combine(directory, "signing-key.pem"),
            Store = GateStoreKind.Sqlite,
            SqlitePath = Path.Combine(directory, "gate.db"),
        };
        options = configure?.Invoke(options) ?? options;
        var (app, errors) = GateApp.Build(options, wrapStore: wrapStore);
        if (app is null)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
        }

        var logs = new TestLogSink();
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new ApproverSidecar(app, directory, logs);
    }

    /// <summary>
    /// The hosts these tests start read no appsettings file, yet by default each would watch its
    /// content root for one: an inotify instance per host, and the machine's per-user limit (128) is
    /// shared with every other process. Turning the reload off keeps the tests within it.
    /// </summary>
    public static void DisableConfigurationWatchers() =>
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");

    /// <summary>Writes the policy, approvers and key files into <paramref name="directory"/> (<see cref="SidecarTestFiles"/>).</summary>
    public static void WriteFiles(string directory, string? policyYaml = null) => SidecarTestFiles.Write(directory, policyYaml);

    /// <summary>A refund of <paramref name="amount"/> (900 → single in finance; 20000 → quorum of 2 in finance), with a card number the policy redacts.</summary>
    public static CheckRequest Refund(double amount, string onBehalfOf = "zoe") => new()
    {
        CallId = "call-" + Guid.NewGuid().ToString("N"),
        Tool = "payments.refund",
        Agent = new AgentContext { AgentId = "support-bot", Tenant = "acme", OnBehalfOf = onBehalfOf, SessionId = "s-1", CredentialRef = "stripe-live" },
        Arguments = new Struct
        {
            Fields =
            {
                ["amount"] = Value.ForNumber(amount),
                ["customer_id"] = Value.ForString("c-42"),
                ["card_number"] = Value.ForString("4111111111111111"),
            },
        },
        Current = new Struct { Fields = { ["amount"] = Value.ForNumber(0), ["customer_id"] = Value.ForString("c-42") } },
        Context = new CallContext
        {
            UserRequest = "My order arrived broken, please refund it",
            Reasoning = "The courier confirmed the damage on order 1182",
            Confidence = 0.86,
            Alternatives = { new Alternative { Summary = "Offer a voucher", WhyNot = "the customer asked for money back" } },
        },
    };

    /// <summary>Checks <paramref name="request"/> and returns the id of the pending approval it created.</summary>
    public async Task<string> PendingAsync(CheckRequest request)
    {
        var response = await Gate.CheckAsync(request).WaitAsync(TestTimeouts.Default);
        if (response.Verdict != Verdict.Pending)
        {
            throw new InvalidOperationException($"expected PENDING for {request.Tool}, got {response.Verdict} ({response.Reason})");
        }

        return response.ApprovalId;
    }

    /// <summary>Sends an HTTP request to the HTTP port as <paramref name="approverId"/> (null: no credentials).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? approverId = null, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (approverId is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", approverId + "-token");
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await Http.SendAsync(request).WaitAsync(TestTimeouts.Default);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        // Streams a failed test left open are cut after a short grace period rather than waited for.
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(grace.Token).WaitAsync(TimeSpan.FromSeconds(30));
        }

        await _app.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
