using System.Text.Json;
using GateCtl;
using GateSidecar.Policy.Testing;
using Xunit;

namespace GateSidecar.Tests.Policy;

public sealed class GateCtlPolicyCommandTests : IDisposable
{
    private static readonly string ExamplePolicy = Path.Combine(RepositoryPaths.Root, "examples", "policy.yaml");
    private static readonly string ExampleCases = Path.Combine(RepositoryPaths.Root, "examples", "policy.tests.yaml");
    private readonly string _directory = Directory.CreateTempSubdirectory("gatectl-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void PolicyTest_ExampleCases_AllPassAndExitZero()
    {
        var expectedCases = PolicyTestSuite.LoadFile(ExampleCases, allowInlinePolicy: false).Cases.Count;

        var (exit, output) = Run("policy", "test", ExamplePolicy, ExampleCases);

        var lines = Lines(output);
        Assert.Equal(0, exit);
        Assert.True(expectedCases >= 20, $"only {expectedCases} example cases");
        Assert.Equal(expectedCases, lines.Count(l => l.StartsWith("PASS ", StringComparison.Ordinal)));
        Assert.Equal($"{expectedCases} passed, 0 failed", lines[^1]);
    }

    [Fact]
    public void PolicyTest_WrongExpectation_PrintsTheFailureAndExitsOne()
    {
        var cases = Write("cases.yaml", """
            cases:
              - name: small refund passes
                call: { tool: payments.refund, arguments: { amount: 20 } }
                expect: { tier: auto, rule: small-refund, verdict: ALLOW }
              - name: wrongly expects a refund of 900 to pass
                call: { tool: payments.refund, arguments: { amount: 900 } }
                expect: { tier: auto, verdict: ALLOW }
            """);

        var (exit, output) = Run("policy", "test", ExamplePolicy, cases);

        Assert.Equal(1, exit);
        Assert.Equal(
            [
                "PASS small refund passes",
                "FAIL wrongly expects a refund of 900 to pass (line 5): expected tier auto, got single; expected verdict ALLOW, got PENDING",
                "     got tier single, rule large-refund, verdict PENDING",
                "1 passed, 1 failed",
            ],
            Lines(output));
    }

    [Fact]
    public void PolicyTest_BrokenCasesFile_PrintsEveryErrorAndExitsOne()
    {
        var cases = Write("cases.yaml", """
            cases:
              - name: a
                call: { tool: t, agent: { nme: x } }
                expect: { verdict: MAYBE }
              - call: { arguments: { a: 1 } }
                expect: { tier: auto }
            """);

        var (exit, output) = Run("policy", "test", ExamplePolicy, cases);

        Assert.Equal(1, exit);
        Assert.Equal(
            [
                $"{cases}:3:31: case 'a': key 'call.agent.nme': unknown key (allowed: id, agent_id, tenant, on_behalf_of, session_id, credential_ref)",
                $"{cases}:4:24: case 'a': key 'expect.verdict': expected ALLOW, DENY or PENDING, found the string \"MAYBE\"",
                $"{cases}:5:5: case #2: key 'name': is missing",
                $"{cases}:5:11: case #2: key 'call.tool': is missing",
                "invalid: 4 errors",
            ],
            Lines(output));
    }

    [Fact]
    public void PolicyValidate_ExamplePolicy_PrintsOk()
    {
        var (exit, output) = Run("policy", "validate", ExamplePolicy);

        Assert.Equal(0, exit);
        Assert.Equal(["ok: 30 rules, version 2026-11-21.1"], Lines(output));
    }

    [Fact]
    public void PolicyValidate_BrokenPolicy_PrintsEveryErrorAndExitsOne()
    {
        var policy = Write("broken.yaml", """
            version: "2"
            defaults: { tier: single, pool: ops }
            pools: { ops: [alice] }
            rules:
              - { id: a, match: { tool: t, args.n: { gt: many } }, tier: single, on_timeout: approve }
              - { id: a, match: { tool: u }, tier: quorum }
            """);

        var (exit, output) = Run("policy", "validate", policy);

        Assert.Equal(1, exit);
        Assert.Equal(
            [
                $"{policy}:5:46: rule 'a': key 'match.args.n': 'gt' expects a number, found the string \"many\"",
                $"{policy}:5:82: rule 'a': key 'on_timeout': 'approve' is not allowed (use deny or escalate)",
                $"{policy}:6:5: rule 'a': key 'quorum': 2 is larger than pool 'ops' (1 member)",
                $"{policy}:6:11: rule 'a': key 'id': duplicate id (first used at line 5)",
                "invalid: 4 errors",
            ],
            Lines(output));
    }

    [Fact]
    public void PolicyEval_LargeRefundAsJson_GivesVerdictRouteLadderAndImpact()
    {
        var (exit, output) = Run("policy", "eval", ExamplePolicy, "--call", Path.Combine(RepositoryPaths.Root, "examples", "calls", "large-refund.json"), "--json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("PENDING", root.GetProperty("verdict").GetString());
        Assert.Equal("single", root.GetProperty("tier").GetString());
        Assert.Equal("large-refund", root.GetProperty("rule").GetString());
        Assert.Equal("args.amount 900 > 500 (rule large-refund)", root.GetProperty("reason").GetString());
        Assert.Equal("finance", root.GetProperty("pool").GetString());
        Assert.Equal(1, root.GetProperty("quorum").GetInt32());
        var ladder = root.GetProperty("ladder").EnumerateArray()
            .Select(r => $"{r.GetProperty("level").GetInt32()} {r.GetProperty("pool").GetString()} {r.GetProperty("timeout").GetString()} +{r.GetProperty("deadline_after").GetString()} {r.GetProperty("on_timeout").GetString()}");
        Assert.Equal(["0 finance 30m +30m escalate", "1 finance-leads 1h +1h30m deny"], ladder);
        var impact = root.GetProperty("impact").EnumerateArray().Select(i => $"{i.GetProperty("label").GetString()}={i.GetProperty("value").GetString()}");
        Assert.Equal(["args.amount=900", "args.currency=EUR", "args.customer_id=cus_4821"], impact);
    }

    [Fact]
    public void PolicyEval_CardNumber_IsDeniedAndNeverPrinted()
    {
        var (exit, output) = Run("policy", "eval", ExamplePolicy, "--call", Path.Combine(RepositoryPaths.Root, "examples", "calls", "card-in-arguments.json"));

        Assert.Equal(0, exit);
        Assert.Contains("DENY", output, StringComparison.Ordinal);
        Assert.Contains("args.card_number *** matches /^[0-9]{13,19}$/ (rule raw-card-number)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("4111", output, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyEval_ImpactAtARedactedPath_IsMasked()
    {
        var call = Write("key.json", """{ "callId": "c", "tool": "iam.create_api_key", "arguments": { "principal": "ci", "scopes": ["read"], "api_key": "sk_live_1" } }""");
        var policy = Write("policy.yaml", File.ReadAllText(ExamplePolicy).Replace("impact: [args.principal, args.scopes]", "impact: [args.principal, args.api_key]", StringComparison.Ordinal));

        var (exit, output) = Run("policy", "eval", policy, "--call", call, "--json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var impact = json.RootElement.GetProperty("impact").EnumerateArray().Select(i => $"{i.GetProperty("label").GetString()}={i.GetProperty("value").GetString()}");
        Assert.Equal(["args.principal=ci", "args.api_key=***"], impact);
        Assert.DoesNotContain("sk_live_1", output, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyEval_CallThatIsNotACheckRequest_ExitsOneWithTheReason()
    {
        var call = Write("bad.json", """{ "tool": "payments.refund", "amount": 5 }""");

        var (exit, output) = Run("policy", "eval", ExamplePolicy, "--call", call);

        Assert.Equal(1, exit);
        Assert.StartsWith($"{call}: not a readable CheckRequest in proto3 JSON: ", output, StringComparison.Ordinal);
        Assert.Contains("amount", output, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyEval_WithoutCallOption_IsAUsageError()
    {
        var (exit, _) = Run("policy", "eval", ExamplePolicy);

        Assert.Equal(1, exit);
    }

    private static (int Exit, string Output) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = GateCtlApp.Run(args, output, error);
        return (exit, output.ToString() + error);
    }

    private static string[] Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToArray();

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
