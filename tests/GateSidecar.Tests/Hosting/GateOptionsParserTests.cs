using GateSidecar.Hosting;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace GateSidecar.Tests.Hosting;

public sealed class GateOptionsParserTests
{
    [Fact]
    public void NoArguments_GivesTheContractDefaults()
    {
        var result = GateOptionsParser.Parse([]);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(7070, result.Options.GrpcPort);
        Assert.Equal(7080, result.Options.HttpPort);
        Assert.Equal(GateStoreKind.Sqlite, result.Options.Store);
        Assert.Equal("./.gate/gate.db", result.Options.SqlitePath);
        Assert.Equal("127.0.0.1", result.Options.Listen);
        Assert.Equal(4 * 1024 * 1024, result.Options.MaxMessageBytes);
        Assert.True(result.Options.SqliteSyncFull);
    }

    [Theory]
    [InlineData("full", true)]
    [InlineData("NORMAL", false)]
    public void SqliteSync_ChoosesWhetherEachCommitIsFsynced(string value, bool full)
    {
        var result = GateOptionsParser.Parse(["--sqlite-sync", value]);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(full, result.Options.SqliteSyncFull);
    }

    [Fact]
    public void Flags_SetTheirOptions_InBothForms()
    {
        using var files = new TempFiles();
        var policy = files.Create("policy.yaml");
        var approvers = files.Create("approvers.yaml");
        var key = files.Create("key.pem");

        var result = GateOptionsParser.Parse(
        [
            "--grpc-port", "9090", "--http-port=9091", "--policy", policy, "--approvers", approvers,
            "--store", "redis", "--redis", "127.0.0.1:6379", "--sqlite", ":memory:", "--signing-key", key,
            "--webhook-secret", "s3cret", "--listen", "::1", "--max-message-bytes", "65536",
        ]);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var options = result.Options;
        Assert.Equal((9090, 9091), (options.GrpcPort, options.HttpPort));
        Assert.Equal((policy, approvers, key), (options.PolicyPath, options.ApproversPath, options.SigningKeyPath));
        Assert.Equal(GateStoreKind.Redis, options.Store);
        Assert.Equal("127.0.0.1:6379", options.Redis);
        Assert.Equal(":memory:", options.SqlitePath);
        Assert.Equal("s3cret", options.WebhookSecret);
        Assert.Equal("::1", options.Listen);
        Assert.Equal(65536, options.MaxMessageBytes);
    }

    [Fact]
    public void Environment_SetsOptions_AndTheCommandLineWins()
    {
        var environment = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GRPC_PORT"] = "8000",
            ["HTTP_PORT"] = "8001",
            ["WEBHOOK_SECRET"] = "from-env",
        }).Build();

        var result = GateOptionsParser.Parse(["--grpc-port", "9000"], environment);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(9000, result.Options.GrpcPort);
        Assert.Equal(8001, result.Options.HttpPort);
        Assert.Equal("from-env", result.Options.WebhookSecret);
    }

    [Fact]
    public void BadEnvironmentValue_NamesTheVariable()
    {
        var environment = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["GRPC_PORT"] = "seventy" }).Build();

        var result = GateOptionsParser.Parse([], environment);

        Assert.Equal(["GATE_GRPC_PORT: 'seventy' is not a port number (0-65535; 0 picks a free port)"], result.Errors);
    }

    [Fact]
    public void EveryProblem_IsReportedAtOnce()
    {
        var result = GateOptionsParser.Parse(
        [
            "--grpc-port", "70000", "--store", "mongo", "--policy", "/nonexistent/policy.yaml", "--bogus", "1",
            "--listen", "0.0.0.0", "--tls-key", "/nonexistent/key.pem", "stray", "--max-message-bytes", "0", "--approvers",
        ]);

        Assert.False(result.IsValid);
        Assert.Equal(
        [
            "--grpc-port: '70000' is not a port number (0-65535; 0 picks a free port)",
            "--store: 'mongo' is not a store; use sqlite or redis",
            "unknown option '--bogus' (run with --help for the list)",
            "unexpected argument '1': options look like --name value (run with --help for the list)",
            "unexpected argument 'stray': options look like --name value (run with --help for the list)",
            "--approvers needs a value: --approvers FILE",
            "--policy /nonexistent/policy.yaml: no such file",
            "--max-message-bytes 0 is out of range: use 1 to 1073741824",
            "--tls-key needs its certificate: add --tls-cert FILE",
            "--listen 0.0.0.0 is not a loopback address: serving beyond this host requires TLS; add --tls-cert FILE --tls-key FILE",
            "--tls-key /nonexistent/key.pem: no such file",
        ],
        result.Errors);
    }

    [Theory]
    [InlineData(new[] { "--store", "redis" }, "--store redis needs --redis HOST:PORT")]
    [InlineData(new[] { "--redis", "localhost" }, "--redis 'localhost' is not HOST:PORT (e.g. 127.0.0.1:6379)")]
    [InlineData(new[] { "--grpc-port", "7000", "--http-port", "7000" }, "--grpc-port and --http-port are both 7000: give them different ports")]
    [InlineData(new[] { "--listen", "gate.example.com" }, "--listen 'gate.example.com' is not an IP address (e.g. 127.0.0.1, ::1 or 0.0.0.0)")]
    [InlineData(new[] { "--listen", "10.1.2.3" }, "--listen 10.1.2.3 is not a loopback address: serving beyond this host requires TLS; add --tls-cert FILE --tls-key FILE")]
    [InlineData(new[] { "--sqlite", "" }, "--sqlite is empty: give a file path, or :memory: for a throw-away database")]
    [InlineData(new[] { "--sqlite-sync", "off" }, "--sqlite-sync: 'off' is not a sqlite sync mode; use full or normal")]
    public void InvalidCombination_IsExplained(string[] args, string expected)
    {
        var result = GateOptionsParser.Parse(args);

        Assert.Contains(expected, result.Errors);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    public void LoopbackListen_NeedsNoTls(string listen)
    {
        var result = GateOptionsParser.Parse(["--listen", listen]);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
    }

    [Fact]
    public void TlsFilesThatAreNotPem_AreReportedWithTheFlags()
    {
        using var files = new TempFiles();
        var cert = files.Create("cert.pem", "not a certificate");
        var key = files.Create("key.pem", "not a key");

        var result = GateOptionsParser.Parse(["--listen", "0.0.0.0", "--tls-cert", cert, "--tls-key", key]);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith($"--tls-cert {cert} / --tls-key {key}: cannot load a certificate", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_IsRecognised_AndUsageListsEveryFlag()
    {
        var result = GateOptionsParser.Parse(["--help"]);
        var usage = GateOptionsParser.Usage();

        Assert.True(result.HelpRequested);
        foreach (var flag in new[] { "--grpc-port", "--http-port", "--policy", "--approvers", "--store", "--sqlite", "--redis", "--signing-key", "--webhook-secret", "--listen", "--tls-cert", "--tls-key", "--tls-client-ca", "--max-message-bytes" })
        {
            Assert.Contains(flag, usage, StringComparison.Ordinal);
        }
    }

    private sealed class TempFiles : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("gate-options-").FullName;

        public string Create(string name, string content = "")
        {
            var path = Path.Combine(_directory, name);
            File.WriteAllText(path, content);
            return path;
        }

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }
}
