using GateSidecar.Policy;

namespace GateSidecar.Tests.Approvals;

internal static class TestPolicies
{
    public const string Yaml = """
        version: "test-1"
        defaults:
          tier: single
          pool: default
          timeout: 5m
          on_timeout: deny
        pools:
          default: [alice, bob]
          finance: [alice, bob, erin]
          finance-leads: [carol]
          execs: [dave]
          ops: [alice, bob, carol]
        rules:
          - id: small-refund
            match:
              tool: payments.refund
              args.amount: { lte: 500 }
            tier: auto
          - id: large-refund
            match:
              tool: payments.refund
              args.amount: { gt: 500 }
            tier: single
            pool: finance
            timeout: 2m
            on_timeout: escalate
            escalate_to: { pool: finance-leads, timeout: 1h, on_timeout: escalate, escalate_to: { pool: execs, timeout: 2h, on_timeout: deny } }
            impact: [args.amount, args.customer_id, args.card_number]
          - id: huge-refund
            match:
              tool: payments.refund
              args.amount: { gt: 10000 }
            tier: quorum
            quorum: 2
            pool: finance
          - id: bulk-update
            match:
              tool: db.update
              args.ids: { count_gt: 100 }
            tier: quorum
            quorum: 2
            pool: ops
          - id: forbidden-refund
            match:
              tool: payments.refund
              args.amount: { gt: 1000000 }
            tier: block
          - id: quick-deny
            match:
              tool: test.quick_deny
            tier: single
            timeout: 400ms
            on_timeout: deny
          - id: quick-escalate
            match:
              tool: test.quick_escalate
            tier: single
            timeout: 400ms
            on_timeout: escalate
            escalate_to: { pool: execs, timeout: 400ms, on_timeout: deny }
          - id: prod-deploy
            match:
              tool: "deploy.*"
              labels.env: prod
            tier: block
        redact: [args.card_number, args.password]
        """;

    public static CompiledPolicy Load()
    {
        var result = PolicyLoader.LoadYaml(Yaml, "test-policy.yaml");
        if (result.Policy is null)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, result.Errors));
        }

        return result.Policy;
    }
}
