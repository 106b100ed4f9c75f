using Gate.V1;
using GateSidecar.Policy.Matching;
using GateSidecar.Policy;
using Google.Protobuf.WellKnownTypes;
using Xunit;

namespace GateSidecar.Tests.Policy;

public sealed class PolicyEvaluationTests
{
    private static readonly CompiledPolicy Example =
        PolicyLoader.LoadFile(Path.Combine(RepositoryPaths.Root, "examples", "policy.yaml")).Policy!;

    [Fact]
    public void Evaluate_AutoPassCall_AllocatesNothing()
    {
        var request = Call("payments.refund", ("amount", Value.ForNumber(120)));
        request.Agent = new AgentContext { AgentId = "support-bot" };
        request.Context = new CallContext { Confidence = 0.9 };
        Example.Evaluate(request);

        var notAuto = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            notAuto += Example.Evaluate(request).Tier == RiskTier.Auto ? 0 : 1;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, notAuto);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Evaluate_GatedCall_AllocatesNothingUntilTheReasonIsRead()
    {
        var request = Call("payments.refund", ("amount", Value.ForNumber(900)));
        Example.Evaluate(request);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var decision = Example.Evaluate(request);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal("args.amount 900 > 500 (rule large-refund)", decision.DescribeReason());
    }

    [Fact]
    public void Evaluate_GatedCall_CarriesTheRulesRouteAndLadder()
    {
        var decision = Example.Evaluate(Call("payments.payout", ("amount", Value.ForNumber(5000))));

        Assert.Equal("large-payout", decision.RuleId);
        Assert.Equal("2026-11-21.1", decision.PolicyVersion);
        Assert.Equal(Verdict.Pending, decision.Verdict);
        Assert.Equal("finance", decision.Route.Pool);
        Assert.Equal(1, decision.Route.Quorum);
        Assert.Equal(TimeSpan.FromMinutes(20), decision.Route.Timeout);
        Assert.Equal(TimeoutAction.Escalate, decision.Route.OnTimeout);
        Assert.Equal(
            [
                new EscalationRung("finance-leads", TimeSpan.FromMinutes(40), TimeoutAction.Escalate),
                new EscalationRung("ops", TimeSpan.FromHours(2), TimeoutAction.Deny),
            ],
            decision.Route.Ladder);
        Assert.Equal(["args.amount", "args.payee"], decision.Route.ImpactPaths);
    }

    [Fact]
    public void Evaluate_RuleWithoutRouteKeys_InheritsDefaultsIncludingTheLadder()
    {
        var policy = Load("""
            version: "1"
            defaults:
              pool: ops
              timeout: 10m
              on_timeout: escalate
              escalate_to: { pool: leads, timeout: 1h }
            pools: { ops: [alice, bob], leads: [carol] }
            rules:
              - { id: inherit, match: { tool: a }, tier: single }
              - { id: deny-fast, match: { tool: b }, tier: single, timeout: 30s, on_timeout: deny }
              - { id: no-timeout-rung, match: { tool: c }, tier: single, on_timeout: escalate, escalate_to: { pool: leads } }
            """);

        var inherit = policy.Evaluate(Call("a")).Route;
        var denyFast = policy.Evaluate(Call("b")).Route;
        var rung = policy.Evaluate(Call("c")).Route;

        Assert.Equal(new ApprovalRoute("ops", 1, TimeSpan.FromMinutes(10), TimeoutAction.Escalate, inherit.Ladder, []), inherit);
        Assert.Equal([new EscalationRung("leads", TimeSpan.FromHours(1), TimeoutAction.Deny)], inherit.Ladder);
        Assert.Equal(TimeSpan.FromSeconds(30), denyFast.Timeout);
        Assert.Equal(TimeoutAction.Deny, denyFast.OnTimeout);
        Assert.Empty(denyFast.Ladder);
        Assert.Equal([new EscalationRung("leads", TimeSpan.FromMinutes(10), TimeoutAction.Deny)], rung.Ladder);
    }

    [Fact]
    public void Evaluate_DefaultDecision_HasEmptyRuleAndTheDefaultRoute()
    {
        var decision = Example.Evaluate(Call("warehouse.reorder"));

        Assert.Equal(string.Empty, decision.RuleId);
        Assert.Equal(RiskTier.Single, decision.Tier);
        Assert.Same(Example.DefaultRoute, decision.Route);
        Assert.Equal(new ApprovalRoute("ops", 1, TimeSpan.FromMinutes(15), TimeoutAction.Deny, [], []), decision.Route with { Ladder = [], ImpactPaths = [] });
        Assert.Equal("no rule matched: policy default (tier single)", decision.DescribeReason());
    }

    [Fact]
    public void Evaluate_EmptyRequest_FallsToTheDefaultWithoutThrowing()
    {
        var decision = Example.Evaluate(new CheckRequest());

        Assert.Equal(string.Empty, decision.RuleId);
        Assert.Equal(RiskTier.Single, decision.Tier);
    }

    [Fact]
    public void Evaluate_ManyDistinctToolNames_StaysCorrectBeyondTheGlobCache()
    {
        var policy = Load("""
            version: "1"
            defaults: { tier: auto }
            rules:
              - { id: block-a, match: { tool: "a.*" }, tier: block }
              - { id: exact, match: { tool: b.exact }, tier: block }
            """);
        var count = RuleIndex.MaxCachedTools + 500;

        var results = new RiskTier[count * 2];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            results[i] = policy.Evaluate(Call($"a.tool{i}")).Tier;
            results[count + i] = policy.Evaluate(Call($"b.tool{i}")).Tier;
        });

        Assert.All(results.Take(count), tier => Assert.Equal(RiskTier.Block, tier));
        Assert.All(results.Skip(count), tier => Assert.Equal(RiskTier.Auto, tier));
        Assert.Equal("block-a", policy.Evaluate(Call("a.late-comer")).RuleId);
        Assert.Equal("exact", policy.Evaluate(Call("b.exact")).RuleId);
    }

    [Fact]
    public void Pools_AnswerMembershipByPoolAndByApprover()
    {
        Assert.True(Example.PoolExists("finance"));
        Assert.False(Example.PoolExists("treasury"));
        Assert.True(Example.IsMember("finance", "alice"));
        Assert.False(Example.IsMember("finance", "carol"));
        Assert.False(Example.IsMember("treasury", "alice"));
        Assert.Equal(["ops", "finance-leads", "legal", "sre-leads", "data-owners", "clinicians"], Example.PoolsOf("carol"));
        Assert.Empty(Example.PoolsOf("mallory"));
        Assert.Equal(["alice", "bob"], Example.Pools["finance"]);
        Assert.Equal(11, Example.Pools.Count);
    }

    [Fact]
    public void RedactPaths_ListThePolicysPathsAndCoverWhatLiesUnderThem()
    {
        Assert.Equal(["args.card_number", "args.cvv", "args.password", "args.api_key", "args.secret", "current.api_key"], Example.RedactPaths);
        Assert.True(Example.IsRedacted("args.password"));
        Assert.True(Example.IsRedacted("args.card_number.last4"));
        Assert.True(Example.IsRedacted("args"));
        Assert.False(Example.IsRedacted("args.password_hint"));
        Assert.False(Example.IsRedacted("current.card_number"));
    }

    private static CompiledPolicy Load(string yaml)
    {
        var result = PolicyLoader.LoadYaml(yaml, "test.yaml");
        Assert.Empty(result.Errors);
        return result.Policy!;
    }

    private static CheckRequest Call(string tool, params (string Key, Value Value)[] arguments)
    {
        var request = new CheckRequest { CallId = "c1", Tool = tool, Arguments = new Struct() };
        foreach (var (key, value) in arguments)
        {
            request.Arguments.Fields[key] = value;
        }

        return request;
    }
}
