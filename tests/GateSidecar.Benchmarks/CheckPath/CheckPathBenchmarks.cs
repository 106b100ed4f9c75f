using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Gate.Client.Evidence;
using Gate.V1;
using GateSidecar.Approvals;
using GateSidecar.Approvals.Stored;
using GateSidecar.Audit;
using GateSidecar.Policy;
using GateSidecar.Tokens;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Benchmarks.CheckPath;

/// <summary>
/// The CPU work of one auto-pass <c>Check</c>, piece by piece, with the load test's request
/// (loadtests/policies/fast-path.yaml, a small refund): where a call's microseconds go before and
/// inside the store writer. Run: dotnet run -c Release --project tests/GateSidecar.Benchmarks -- --filter '*CheckPath*'
/// </summary>
[MemoryDiagnoser]
public class CheckPathBenchmarks
{
    private CompiledPolicy _policy = null!;
    private ApprovalStateMachine _machine = null!;
    private TokenIssuer _issuer = null!;
    private CheckRequest _request = null!;
    private StoredApproval _record = null!;
    private AuditEvent _entry = null!;
    private PolicyDecision _decision;
    private byte[] _requestBytes = null!;
    private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new(1024);

    [GlobalSetup]
    public void Setup()
    {
        var root = FindRoot();
        _policy = PolicyLoader.LoadFile(Path.Combine(root, "loadtests", "policies", "fast-path.yaml")).Policy
            ?? throw new InvalidOperationException("the fast-path policy does not load");
        _machine = new ApprovalStateMachine(TimeProvider.System);
        var keys = new SigningKeyRing([ECDsa.Create(ECCurve.NamedCurves.nistP256)]);
        _issuer = new TokenIssuer(keys, TimeProvider.System);
        _request = new CheckRequest
        {
            CallId = "bench-0001",
            Tool = "payments.refund",
            Arguments = new Struct
            {
                Fields =
                {
                    ["order_id"] = Value.ForString("o-1234"),
                    ["customer_id"] = Value.ForString("c-42"),
                    ["amount"] = Value.ForNumber(42),
                    ["currency"] = Value.ForString("EUR"),
                },
            },
            Agent = new AgentContext { AgentId = "load-agent-0", Tenant = "load", OnBehalfOf = "load-user", SessionId = "s" },
            Context = new CallContext { UserRequest = "refund the broken order", Reasoning = "the customer sent a photo of the damage" },
            Labels = { ["env"] = "load" },
        };
        _requestBytes = _request.ToByteArray();
        _decision = _policy.Evaluate(_request);
        var transition = _machine.Create(ApprovalIds.New(TimeProvider.System), _request, _decision, _policy.RedactPaths, "agent:load-agent-0");
        _record = transition.Record;
        _entry = transition.Audit[0];
    }

    [Benchmark]
    public CheckRequest ParseRequest() => CheckRequest.Parser.ParseFrom(_requestBytes);

    [Benchmark]
    public object EvaluatePolicy() => _policy.Evaluate(_request);

    [Benchmark]
    public string NewApprovalId() => ApprovalIds.New(TimeProvider.System);

    [Benchmark]
    public string ArgsHashOfArguments() => ArgsHash.Compute(_request.Arguments);

    [Benchmark]
    public object CreateTransition() => _machine.Create("0123456789abcdef0123456789abcdef", _request, _decision, _policy.RedactPaths, "agent:load-agent-0");

    [Benchmark]
    public object IssueToken() => _issuer.Issue(new TokenClaimsInput(_record.Approval.ApprovalId, "payments.refund", "load", "load-agent-0", "small-refund", _policy.Version, _record.ArgsSha256));

    /// <summary>The definition: proto3 JSON printer, then JCS.</summary>
    [Benchmark]
    public byte[] AuditCanonicalBytesDefinition() => AuditCanonicalForm.ToBytes(_entry);

    /// <summary>What sealing uses: the direct canonical writer.</summary>
    [Benchmark]
    public int AuditCanonicalBytesDirect()
    {
        _buffer.ResetWrittenCount();
        AuditCanonicalWriter.TryWrite(_buffer, _entry);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public AuditEvent SealAuditEntry() => AuditChain.Seal(_entry, 42, AuditChain.Genesis);

    [Benchmark]
    public byte[] SerializeRecord() => _record.ToByteArray();

    [Benchmark]
    public byte[] SerializeResponse() => ApprovalService.ToResponse(_record).ToByteArray();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Approvals.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run the benchmarks from inside the repository");
    }
}
