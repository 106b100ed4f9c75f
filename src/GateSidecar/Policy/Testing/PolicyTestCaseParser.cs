using System.Globalization;
using Gate.V1;
using GateSidecar.Policy.Loading;
using GateSidecar.Policy.Matching;
using YamlDotNet.RepresentationModel;

namespace GateSidecar.Policy.Testing;

/// <summary>Reads one entry of <c>cases</c>.</summary>
internal static class PolicyTestCaseParser
{
    private const string CaseKeys = "name, call, expect";
    private const string CallKeys = "call_id, tool, arguments, current, labels, agent, context";
    private const string AgentKeys = "id, agent_id, tenant, on_behalf_of, session_id, credential_ref";
    private const string ContextKeys = "confidence, user_request, reasoning, retrieved";
    private const string ExpectKeys = "tier, rule, verdict, reason, pool, quorum";

    public static PolicyTestCase? Parse(ParseContext context, YamlNode node, int index, HashSet<string> names)
    {
        var where = $"case #{(index + 1).ToString(CultureInfo.InvariantCulture)}";
        if (node is not YamlMappingNode map)
        {
            context.Errors.Add(node, where, null, $"expected a mapping with keys {CaseKeys}, found {YamlScalars.Describe(node)}");
            return null;
        }

        var before = context.Errors.Count;
        string? name = null;
        bool hasName = false, hasCall = false, hasExpect = false;
        CheckRequest? call = null;
        PolicyTestExpectation? expect = null;
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is YamlScalarNode { Value: "name" })
            {
                hasName = true;
                name = context.RequireText(value, where, "name", "a case name");
                if (name is not null && !names.Add(name))
                {
                    context.Errors.Add(value, where, "name", $"duplicate case name '{name}'");
                }

                where = name is null ? where : $"case '{name}'";
            }
        }

        foreach (var (keyNode, value) in map.Children)
        {
            switch (context.KeyText(keyNode, where))
            {
                case null or "name":
                    break;
                case "call":
                    hasCall = true;
                    call = ParseCall(context, where, value, index);
                    break;
                case "expect":
                    hasExpect = true;
                    expect = ParseExpect(context, where, value);
                    break;
                case var other:
                    context.Errors.Add(keyNode, where, other, $"unknown key (allowed: {CaseKeys})");
                    break;
            }
        }

        if (!hasName)
        {
            context.Errors.Add(map, where, "name", "is missing");
        }

        if (!hasCall)
        {
            context.Errors.Add(map, where, "call", "is missing");
        }

        if (!hasExpect)
        {
            context.Errors.Add(map, where, "expect", "is missing");
        }

        return context.Errors.Count == before ? new PolicyTestCase(name!, map.Start.Line, call!, expect!) : null;
    }

    private static CheckRequest? ParseCall(ParseContext context, string where, YamlNode node, int index)
    {
        if (node is not YamlMappingNode map)
        {
            context.Errors.Add(node, where, "call", $"expected a mapping with keys {CallKeys}, found {YamlScalars.Describe(node)}");
            return null;
        }

        var call = new CheckRequest { CallId = $"case-{(index + 1).ToString(CultureInfo.InvariantCulture)}" };
        foreach (var (keyNode, value) in map.Children)
        {
            var key = context.KeyText(keyNode, where);
            switch (key)
            {
                case null:
                    break;
                case "call_id":
                    call.CallId = context.RequireText(value, where, "call.call_id", "a string") ?? call.CallId;
                    break;
                case "tool":
                    call.Tool = context.RequireText(value, where, "call.tool", "a tool name") ?? string.Empty;
                    break;
                case "arguments" or "current":
                    if (value is not YamlMappingNode obj)
                    {
                        context.Errors.Add(value, where, $"call.{key}", $"expected a mapping, found {YamlScalars.Describe(value)}");
                    }
                    else if (key == "arguments")
                    {
                        call.Arguments = YamlValues.ToStruct(obj);
                    }
                    else
                    {
                        call.Current = YamlValues.ToStruct(obj);
                    }

                    break;
                case "labels":
                    ParseLabels(context, where, value, call);
                    break;
                case "agent":
                    call.Agent = ParseAgent(context, where, value);
                    break;
                case "context":
                    call.Context = ParseCallContext(context, where, value);
                    break;
                default:
                    context.Errors.Add(keyNode, where, $"call.{key}", $"unknown key (allowed: {CallKeys})");
                    break;
            }
        }

        if (call.Tool.Length == 0)
        {
            context.Errors.Add(map, where, "call.tool", "is missing");
            return null;
        }

        return call;
    }

    private static void ParseLabels(ParseContext context, string where, YamlNode node, CheckRequest call)
    {
        if (node is not YamlMappingNode map)
        {
            context.Errors.Add(node, where, "call.labels", $"expected a mapping of strings, found {YamlScalars.Describe(node)}");
            return;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var key = context.KeyText(keyNode, where);
            var text = key is null ? null : context.RequireText(value, where, $"call.labels.{key}", "a string");
            if (text is not null)
            {
                call.Labels[key!] = text;
            }
        }
    }

    private static AgentContext? ParseAgent(ParseContext context, string where, YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            context.Errors.Add(node, where, "call.agent", $"expected a mapping with keys {AgentKeys}, found {YamlScalars.Describe(node)}");
            return null;
        }

        var agent = new AgentContext();
        foreach (var (keyNode, value) in map.Children)
        {
            var key = context.KeyText(keyNode, where);
            if (key is null)
            {
                continue;
            }

            var text = key is "id" or "agent_id" or "tenant" or "on_behalf_of" or "session_id" or "credential_ref"
                ? context.RequireText(value, where, $"call.agent.{key}", "a string") ?? string.Empty
                : null;
            switch (key)
            {
                case "id" or "agent_id": agent.AgentId = text; break;
                case "tenant": agent.Tenant = text; break;
                case "on_behalf_of": agent.OnBehalfOf = text; break;
                case "session_id": agent.SessionId = text; break;
                case "credential_ref": agent.CredentialRef = text; break;
                default:
                    context.Errors.Add(keyNode, where, $"call.agent.{key}", $"unknown key (allowed: {AgentKeys})");
                    break;
            }
        }

        return agent;
    }

    private static CallContext? ParseCallContext(ParseContext context, string where, YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            context.Errors.Add(node, where, "call.context", $"expected a mapping with keys {ContextKeys}, found {YamlScalars.Describe(node)}");
            return null;
        }

        var result = new CallContext();
        foreach (var (keyNode, value) in map.Children)
        {
            switch (context.KeyText(keyNode, where))
            {
                case null:
                    break;
                case "confidence":
                    if (value is YamlScalarNode scalar && YamlScalars.Resolve(scalar) is { Kind: FieldKind.Number } number)
                    {
                        result.Confidence = number.Number;
                    }
                    else
                    {
                        context.Errors.Add(value, where, "call.context.confidence", $"expected a number, found {YamlScalars.Describe(value)}");
                    }

                    break;
                case "user_request":
                    result.UserRequest = context.RequireText(value, where, "call.context.user_request", "a string") ?? string.Empty;
                    break;
                case "reasoning":
                    result.Reasoning = context.RequireText(value, where, "call.context.reasoning", "a string") ?? string.Empty;
                    break;
                case "retrieved" when value is YamlSequenceNode list:
                    foreach (var item in list.Children)
                    {
                        result.Retrieved.Add(context.RequireText(item, where, "call.context.retrieved", "a string") ?? string.Empty);
                    }

                    break;
                case var other:
                    context.Errors.Add(keyNode, where, $"call.context.{other}", other == "retrieved"
                        ? $"expected a list of strings, found {YamlScalars.Describe(value)}"
                        : $"unknown key (allowed: {ContextKeys})");
                    break;
            }
        }

        return result;
    }

    private static PolicyTestExpectation? ParseExpect(ParseContext context, string where, YamlNode node)
    {
        if (node is not YamlMappingNode { Children.Count: > 0 } map)
        {
            context.Errors.Add(node, where, "expect", $"expected a mapping with at least one of {ExpectKeys}, found {YamlScalars.Describe(node)}");
            return null;
        }

        RiskTier? tier = null;
        Verdict? verdict = null;
        string? rule = null, reason = null, pool = null;
        int? quorum = null;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = context.KeyText(keyNode, where);
            switch (key)
            {
                case null:
                    break;
                case "tier":
                    tier = RuleParser.ParseTier(context, where, value, "expect.tier");
                    break;
                case "verdict":
                    verdict = ParseVerdict(context, where, value);
                    break;
                case "rule":
                    // An empty rule means "the policy default decided"; null and "" both say so.
                    rule = value is YamlScalarNode { Value: var text } ? text ?? string.Empty : context.RequireText(value, where, "expect.rule", "a rule id");
                    break;
                case "reason":
                    reason = context.RequireText(value, where, "expect.reason", "the exact reason text");
                    break;
                case "pool":
                    pool = context.RequireText(value, where, "expect.pool", "a pool name");
                    break;
                case "quorum":
                    quorum = RouteParser.ParseWholeNumber(context, where, "expect.quorum", value);
                    break;
                default:
                    context.Errors.Add(keyNode, where, $"expect.{key}", $"unknown key (allowed: {ExpectKeys})");
                    break;
            }
        }

        return new PolicyTestExpectation(tier, rule, verdict, reason, pool, quorum);
    }

    private static Verdict? ParseVerdict(ParseContext context, string where, YamlNode value)
    {
        var text = (value as YamlScalarNode)?.Value?.ToUpperInvariant() ?? string.Empty;
        text = text.StartsWith("VERDICT_", StringComparison.Ordinal) ? text["VERDICT_".Length..] : text;
        switch (text)
        {
            case "ALLOW": return Verdict.Allow;
            case "DENY": return Verdict.Deny;
            case "PENDING": return Verdict.Pending;
            default:
                context.Errors.Add(value, where, "expect.verdict", $"expected ALLOW, DENY or PENDING, found {YamlScalars.Describe(value)}");
                return null;
        }
    }
}
