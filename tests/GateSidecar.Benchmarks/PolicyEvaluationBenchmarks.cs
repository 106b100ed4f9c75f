using BenchmarkDotNet.Attributes;
using Gate.V1;
using GateSidecar.Policy;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Benchmarks;

/// <summary>
/// <c>CompiledPolicy.Evaluate</c> on generated policies: an auto-pass call (every stricter candidate is checked
/// and fails first) and a gated call, with and without formatting the reason.
/// </summary>
[MemoryDiagnoser]
public class PolicyEvaluationBenchmarks
{
    private CompiledPolicy _policy = null!;
    private CheckRequest _autoPass = null!;
    private CheckRequest _gated = null!;

    [Params(10, 200, 2000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var result = PolicyLoader.LoadYaml(GeneratedPolicy.Create(Rules), $"bench-{Rules}.yaml");
        _policy = result.Policy ?? throw new InvalidOperationException(string.Join('\n', result.Errors));
        if (_policy.Rules.Count != Rules)
        {
            throw new InvalidOperationException($"generated {_policy.Rules.Count} rules instead of {Rules}");
        }

        var tool = GeneratedPolicy.TargetTool(Rules);
        _autoPass = Call(tool, 120);
        _gated = Call(tool, 900);
        Expect(RiskTier.Auto, _autoPass);
        Expect(RiskTier.Single, _gated);
    }

    [Benchmark(Baseline = true)]
    public RiskTier AutoPass() => _policy.Evaluate(_autoPass).Tier;

    [Benchmark]
    public RiskTier Gated() => _policy.Evaluate(_gated).Tier;

    [Benchmark]
    public string GatedWithReason() => _policy.Evaluate(_gated).DescribeReason();

    private static CheckRequest Call(string tool, double amount)
    {
        var request = new CheckRequest
        {
            CallId = "call-1",
            Tool = tool,
            Agent = new AgentContext { AgentId = "support-bot", Tenant = "acme" },
            Arguments = new Struct(),
            Context = new CallContext { Confidence = 0.9 },
        };
        request.Arguments.Fields["amount"] = Value.ForNumber(amount);
        request.Arguments.Fields["currency"] = Value.ForString("EUR");
        request.Arguments.Fields["customer_id"] = Value.ForString("cus_4821");
        request.Labels["env"] = "prod";
        request.Labels["customer_tier"] = "gold";
        return request;
    }

    private void Expect(RiskTier tier, CheckRequest request)
    {
        var decision = _policy.Evaluate(request);
        if (decision.Tier != tier)
        {
            throw new InvalidOperationException($"{request.Tool} {request.Arguments}: expected {tier}, got {decision.Tier} ({decision.DescribeReason()})");
        }
    }
}
