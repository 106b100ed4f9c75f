using GateSidecar.Policy;
using Xunit;

namespace GateSidecar.Tests.Policy;

public sealed class PolicyValidationTests
{
    private const string BrokenPolicy = """
        versoin: 1
        defaults:
          tier: single
          pool: nobody
          timeout: 5
          on_timeout: escalate
        pools:
          finance: [alice, bob]
          leads: [carol]
          empty: []
        rules:
          - id: large-refund
            match:
              tool: payments.refund
              args.amount: { gtt: 500 }
            tier: single
            pool: finance
            on_timeout: approve
          - id: large-refund
            match: { tool: x, args.n: { gt: "500" } }
            tier: medium
          - id: q
            match: { tool: y, labels.env: { gt: 3 }, args.name: { matches: "(" } }
            tier: quorum
            quorum: 3
            pool: finance
            on_timeout: escalate
            escalate_to: { pool: leads, timeout: 1x }
          - id: s
            match: { tool: z, argz.a: 1, any: [] }
            tier: single
            quorum: 2
            priority: 1
          - match: { tool: w }
            tier: auto
            pool: finance
        redact: [password, args.ok]
        """;

    [Fact]
    public void Load_PolicyWithManyErrors_ReportsEveryOneInFileOrder()
    {
        var result = PolicyLoader.LoadYaml(BrokenPolicy, "broken.yaml");

        Assert.Null(result.Policy);
        Assert.Equal(
            [
                "broken.yaml:1:1: key 'versoin': unknown key (allowed: version, defaults, pools, rules, redact)",
                "broken.yaml:1:1: key 'version': is missing (add e.g. version: \"2026-11-21.1\")",
                "broken.yaml:3:3: defaults: key 'escalate_to': is missing (on_timeout is escalate)",
                "broken.yaml:4:9: defaults: key 'pool': pool 'nobody' is not defined in pools",
                "broken.yaml:5:12: defaults: key 'timeout': '5' is not a duration (use a number with a unit ms, s, m or h, e.g. 90s or 1h30m)",
                "broken.yaml:10:10: pools: key 'empty': the pool has no members",
                "broken.yaml:15:22: rule 'large-refund': key 'match.args.amount': operator 'gtt' is not allowed (use eq, ne, gt, gte, lt, lte, in, not_in, matches, exists, count_gt, count_lt)",
                "broken.yaml:18:17: rule 'large-refund': key 'on_timeout': 'approve' is not allowed (use deny or escalate)",
                "broken.yaml:19:9: rule 'large-refund': key 'id': duplicate id (first used at line 12)",
                "broken.yaml:20:37: rule 'large-refund': key 'match.args.n': 'gt' expects a number, found the string \"500\"",
                "broken.yaml:21:11: rule 'large-refund': key 'tier': 'medium' is not a tier (use auto, single, quorum or block)",
                "broken.yaml:23:41: rule 'q': key 'match.labels.env': 'gt' never holds for labels.env, which is always a string",
                "broken.yaml:23:68: rule 'q': key 'match.args.name': 'matches' has an invalid regular expression: Invalid pattern '(' at offset 1. Not enough )'s.",
                "broken.yaml:25:13: rule 'q': key 'quorum': 3 is larger than pool 'finance' (2 members)",
                "broken.yaml:28:42: rule 'q': key 'escalate_to.timeout': '1x' is not a duration (use a number with a unit ms, s, m or h, e.g. 90s or 1h30m)",
                "broken.yaml:30:23: rule 's': key 'match.argz.a': unknown key (use tool, args.<path>, current.<path>, labels.<key>, agent.id, agent.tenant, agent.on_behalf_of, confidence or any)",
                "broken.yaml:30:39: rule 's': key 'match.any': must list at least one match",
                "broken.yaml:32:13: rule 's': key 'quorum': only a quorum tier takes a quorum (tier is single)",
                "broken.yaml:33:5: rule 's': key 'priority': unknown key (allowed: id, description, match, tier, pool, quorum, timeout, on_timeout, escalate_to, impact)",
                "broken.yaml:34:5: rule #5: key 'id': is missing",
                "broken.yaml:36:11: rule #5: key 'pool': has no effect on tier auto (only single and quorum reach people)",
                "broken.yaml:37:10: key 'redact[0]': 'password' is not a redactable path (use args.<dotted.path> or current.<dotted.path>)",
            ],
            result.Errors);
    }

    [Theory]
    [InlineData("on_timeout: approve", "p.yaml:11:17: rule 'large-refund': key 'on_timeout': 'approve' is not allowed (use deny or escalate)")]
    [InlineData("on_timeout: escalate", "p.yaml:11:17: rule 'large-refund': key 'escalate_to': is missing (on_timeout is escalate)")]
    [InlineData("escalate_to: { pool: leads }", "p.yaml:11:18: rule 'large-refund': key 'escalate_to': has no effect unless on_timeout is escalate")]
    [InlineData("pool: treasury", "p.yaml:11:11: rule 'large-refund': key 'pool': pool 'treasury' is not defined in pools")]
    [InlineData("quorum: 2", "p.yaml:11:13: rule 'large-refund': key 'quorum': only a quorum tier takes a quorum (tier is single)")]
    [InlineData("timeout: 0s", "p.yaml:11:14: rule 'large-refund': key 'timeout': '0s' must be longer than zero")]
    [InlineData("timeout: [1s]", "p.yaml:11:14: rule 'large-refund': key 'timeout': expected a duration (use a number with a unit ms, s, m or h, e.g. 90s or 1h30m), found a list")]
    [InlineData("impact: [amount]", "p.yaml:11:14: rule 'large-refund': key 'impact[0]': 'amount' is not a path (use args.<path>, current.<path>, labels.<key>, agent.id, agent.tenant, agent.on_behalf_of, confidence or tool)")]
    [InlineData("on_timeout: escalate\n    escalate_to: { pool: nowhere }", "p.yaml:12:26: rule 'large-refund': key 'escalate_to.pool': pool 'nowhere' is not defined in pools")]
    [InlineData("on_timeout: escalate\n    escalate_to: { pool: leads, on_timeout: escalate }", "p.yaml:12:18: rule 'large-refund': key 'escalate_to.escalate_to': is missing (escalate_to.on_timeout is escalate)")]
    [InlineData("on_timeout: escalate\n    escalate_to: { timeout: 1h }", "p.yaml:12:18: rule 'large-refund': key 'escalate_to.pool': is missing")]
    [InlineData("on_timeout: escalate\n    escalate_to: { pool: leads, when: later }", "p.yaml:12:33: rule 'large-refund': key 'escalate_to.when': unknown key (allowed: pool, timeout, on_timeout, escalate_to)")]
    public void Load_BadRuleKey_NamesRuleAndKey(string extraLine, string expected)
    {
        var result = PolicyLoader.LoadYaml(SingleRule("large-refund", "single", extraLine), "p.yaml");

        Assert.Equal([expected], result.Errors);
    }

    [Theory]
    [InlineData("args.amount: { gtt: 500 }", "p.yaml:10:22: rule 'r': key 'match.args.amount': operator 'gtt' is not allowed (use eq, ne, gt, gte, lt, lte, in, not_in, matches, exists, count_gt, count_lt)")]
    [InlineData("args.amount: { gt: \"500\" }", "p.yaml:10:26: rule 'r': key 'match.args.amount': 'gt' expects a number, found the string \"500\"")]
    [InlineData("args.amount: { in: 5 }", "p.yaml:10:26: rule 'r': key 'match.args.amount': 'in' expects a list of values, found the number 5")]
    [InlineData("args.amount: { in: [] }", "p.yaml:10:26: rule 'r': key 'match.args.amount': 'in' needs at least one value")]
    [InlineData("args.amount: { in: [[1]] }", "p.yaml:10:27: rule 'r': key 'match.args.amount': 'in' expects a list of values, found a list inside it")]
    [InlineData("args.amount: { eq: [1] }", "p.yaml:10:26: rule 'r': key 'match.args.amount': 'eq' expects a single value (a string, number, true/false or null), found a list")]
    [InlineData("args.amount: [1, 2]", "p.yaml:10:20: rule 'r': key 'match.args.amount': a list is not a value; use { in: [...] } to match one of several values")]
    [InlineData("args.amount: {}", "p.yaml:10:20: rule 'r': key 'match.args.amount': expected a value or operators such as { gt: 500 }, found an empty mapping")]
    [InlineData("args.name: { matches: \"(?<=a)b\" }", "p.yaml:10:29: rule 'r': key 'match.args.name': 'matches' has an invalid regular expression: RegexOptions.NonBacktracking is not supported in conjunction with expressions containing: 'positive lookahead (?= pattern) or positive lookbehind (?<= pattern)'.")]
    [InlineData("args.name: { matches: 5 }", "p.yaml:10:29: rule 'r': key 'match.args.name': 'matches' expects a regular expression string, found the number 5")]
    [InlineData("args.name: { exists: yes }", "p.yaml:10:28: rule 'r': key 'match.args.name': 'exists' expects true or false, found the string \"yes\"")]
    [InlineData("args.ids: { count_gt: -1 }", "p.yaml:10:29: rule 'r': key 'match.args.ids': 'count_gt' expects a whole number of at least 0, found the number -1")]
    [InlineData("args.ids: { count_lt: 1.5 }", "p.yaml:10:29: rule 'r': key 'match.args.ids': 'count_lt' expects a whole number of at least 0, found the number 1.5")]
    [InlineData("labels.env: { count_gt: 1 }", "p.yaml:10:31: rule 'r': key 'match.labels.env': 'count_gt' never holds for labels.env, which is always a string")]
    [InlineData("confidence: { matches: x }", "p.yaml:10:30: rule 'r': key 'match.confidence': 'matches' never holds for confidence, which is always a number")]
    [InlineData("confidence: high", "p.yaml:10:19: rule 'r': key 'match.confidence': 'eq' on confidence expects a number, found the string \"high\"")]
    [InlineData("agent.name: bot", "p.yaml:10:7: rule 'r': key 'match.agent.name': unknown key (use tool, args.<path>, current.<path>, labels.<key>, agent.id, agent.tenant, agent.on_behalf_of, confidence or any)")]
    [InlineData("args..x: 1", "p.yaml:10:7: rule 'r': key 'match.args..x': unknown key (use tool, args.<path>, current.<path>, labels.<key>, agent.id, agent.tenant, agent.on_behalf_of, confidence or any)")]
    [InlineData("any: [{ args.a: 1 }, {}]", "p.yaml:10:28: rule 'r': key 'match.any[1]': expected a non-empty match mapping, found an empty mapping")]
    [InlineData("any: [{ args.a: { lt: x } }]", "p.yaml:10:29: rule 'r': key 'match.any[0].args.a': 'lt' expects a number, found the string \"x\"")]
    public void Load_BadPredicate_NamesRuleKeyAndOperator(string matchLine, string expected)
    {
        var yaml = $"""
            version: "1"
            defaults: {"{"} pool: p {"}"}
            pools:
              p: [alice, bob]
              leads: [carol]
            rules:
              - id: r
                match:
                  tool: t
                  {matchLine}
                tier: single
            """;

        var result = PolicyLoader.LoadYaml(yaml, "p.yaml");

        Assert.Equal([expected], result.Errors);
    }

    [Theory]
    [InlineData("quorum: 3", "p.yaml:11:13: rule 'q': key 'quorum': 3 is larger than pool 'p' (2 members)")]
    [InlineData("quorum: 1", "p.yaml:11:13: rule 'q': key 'quorum': must be at least 2, found 1 (a quorum of 1 is tier single)")]
    [InlineData("pool: leads", "p.yaml:7:5: rule 'q': key 'quorum': 2 is larger than pool 'leads' (1 member)")]
    [InlineData("on_timeout: escalate\n    escalate_to: { pool: leads }", "p.yaml:12:26: rule 'q': key 'escalate_to.pool': pool 'leads' has 1 member, fewer than the quorum of 2")]
    public void Load_QuorumThatCannotBeMet_IsRejected(string extraLine, string expected)
    {
        var result = PolicyLoader.LoadYaml(SingleRule("q", "quorum", extraLine), "p.yaml");

        Assert.Equal([expected], result.Errors);
    }

    [Theory]
    [InlineData("", "p.yaml:1:1: the policy is empty (expected keys version, defaults, pools, rules, redact)")]
    [InlineData("- a\n- b\n", "p.yaml:1:1: the policy must be a mapping with keys version, defaults, pools, rules, redact, found a list")]
    [InlineData("version: \"1\"\n---\nversion: \"2\"\n", "p.yaml:3:1: the file holds 2 YAML documents; a policy is exactly one")]
    [InlineData("version: \"1\"\nversion: \"2\"\n", "p.yaml:2:1: syntax error: Duplicate key version")]
    [InlineData("version: \"1\"\nrules:\n  - id: a\n   tier: auto\n", "p.yaml:4:4: syntax error: While parsing a block collection, did not find expected '-' indicator.")]
    [InlineData("version: \"1\"\nrules: [\n", "p.yaml:3:1: syntax error: While parsing a node, did not find expected node content.")]
    [InlineData("version: \"1\"\nrules: [1, 2\nb: 3", "p.yaml:3:1: syntax error: the file ends inside an unclosed '[' or '{'")]
    [InlineData("version: \"\"\ndefaults: { tier: auto }\n", "p.yaml:1:10: key 'version': expected a non-empty string such as \"2026-11-21.1\", found the string \"\"")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto }\nrules: { a: 1 }\n", "p.yaml:3:8: key 'rules': expected a list of rules, found a mapping")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto }\nredact: [args, current.a, args.b.c, labels.x]\n", "p.yaml:3:10: key 'redact[0]': 'args' is not a redactable path (use args.<dotted.path> or current.<dotted.path>)\np.yaml:3:37: key 'redact[3]': 'labels.x' is not a redactable path (use args.<dotted.path> or current.<dotted.path>)")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto }\npools:\n  p: [alice, alice]\n", "p.yaml:4:14: pools: key 'p': approver 'alice' is listed twice")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto }\npools:\n  \"bad pool\": [alice]\n", "p.yaml:4:3: pools: key 'bad pool': 'bad pool' is not a valid pool name (use letters, digits, '.', '_' or '-')")]
    [InlineData("version: \"1\"\n", "p.yaml:1:1: defaults: key 'pool': is missing and pool 'default' is not defined in pools")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto }\nrules:\n  - { id: r, match: { tool: t }, tier: single }\n", "p.yaml:4:5: rule 'r': key 'pool': is missing and the default pool 'default' is not defined in pools")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto, quorum: 2 }\n", "p.yaml:2:33: defaults: key 'quorum': only a quorum tier takes a quorum (tier is auto)")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto, color: red }\n", "p.yaml:2:25: defaults: key 'color': unknown key (allowed: tier, pool, quorum, timeout, on_timeout, escalate_to)")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto }\nrules:\n  - { id: \"a b\", match: { tool: t }, tier: auto }\n", "p.yaml:4:11: rule #1: key 'id': 'a b' is not a valid id (use letters, digits, '.', '_' or '-')")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto }\nrules:\n  - { id: a, tier: auto }\n", "p.yaml:4:5: rule 'a': key 'match': is missing (use tool: \"*\" to match every call)")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto }\nrules:\n  - { id: a, match: {}, tier: auto }\n", "p.yaml:4:21: rule 'a': key 'match': must not be empty (use tool: \"*\" to match every call)")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto }\nrules:\n  - { id: a, match: { tool: t } }\n", "p.yaml:4:5: rule 'a': key 'tier': is missing (use auto, single, quorum or block)")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto }\nrules:\n  - { id: a, match: { tool: \"\" }, tier: auto }\n", "p.yaml:4:29: rule 'a': key 'match.tool': expected a tool name or a glob such as \"deploy.*\", found the string \"\"")]
    [InlineData("version: \"1\"\ndefaults: { tier: auto }\nrules:\n  - just a string\n", "p.yaml:4:5: rule #1: expected a mapping with keys id, match and tier, found the string \"just a string\"")]
    public void Load_BadDocument_IsRejectedWithPosition(string yaml, string expected)
    {
        var result = PolicyLoader.LoadYaml(yaml, "p.yaml");

        Assert.Null(result.Policy);
        Assert.Equal(expected.Split('\n'), result.Errors);
    }

    [Fact]
    public void LoadFile_MissingFile_ReportsThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.yaml");

        var result = PolicyLoader.LoadFile(path);

        Assert.Equal([$"{path}: cannot read the policy file: Could not find file '{path}'."], result.Errors);
    }

    [Fact]
    public void LoadFile_ExamplePolicy_IsValid()
    {
        var result = PolicyLoader.LoadFile(Path.Combine(RepositoryPaths.Root, "examples", "policy.yaml"));

        Assert.Empty(result.Errors);
        Assert.Equal("2026-11-21.1", result.Policy!.Version);
        Assert.Equal(Gate.V1.RiskTier.Single, result.Policy.DefaultTier);
    }

    private static string SingleRule(string id, string tier, string extraLine) => $"""
        version: "1"
        defaults: {"{"} pool: p {"}"}
        pools:
          p: [alice, bob]
          leads: [carol]
        rules:
          - id: {id}
            match:
              tool: payments.refund
            tier: {tier}
            {extraLine}
        """;
}
