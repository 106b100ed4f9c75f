using Gate.V1;
using GateSidecar.Policy;
using Google.Protobuf;
using Xunit;

namespace GateSidecar.Tests.Policy;

public sealed class PolicyPathsTests
{
    private static readonly CheckRequest Request = JsonParser.Default.Parse<CheckRequest>("""
        {
          "callId": "c1",
          "tool": "payments.refund",
          "agent": { "agentId": "bot-1", "tenant": "acme", "onBehalfOf": "erin" },
          "arguments": { "amount": 900, "customer": { "id": "cus_1", "tags": ["vip", "eu"] }, "note": null },
          "current": { "status": "open" },
          "labels": { "env": "prod" },
          "context": { "confidence": 0 }
        }
        """);

    [Theory]
    [InlineData("args.amount", "900")]
    [InlineData("args.customer.id", "\"cus_1\"")]
    [InlineData("args.customer.tags.1", "\"eu\"")]
    [InlineData("args.customer.tags", "[ \"vip\", \"eu\" ]")]
    [InlineData("args.note", "null")]
    [InlineData("current.status", "\"open\"")]
    [InlineData("labels.env", "\"prod\"")]
    [InlineData("agent.id", "\"bot-1\"")]
    [InlineData("agent.tenant", "\"acme\"")]
    [InlineData("agent.on_behalf_of", "\"erin\"")]
    [InlineData("confidence", "0")]
    [InlineData("tool", "\"payments.refund\"")]
    [InlineData("current", "{ \"status\": \"open\" }")]
    public void TryResolve_PresentPath_GivesTheValue(string path, string json)
    {
        Assert.True(PolicyPaths.TryResolve(Request, path, out var value));
        Assert.Equal(json, JsonFormatter.Default.Format(value));
    }

    [Theory]
    [InlineData("args.missing")]
    [InlineData("args.amount.cents")]
    [InlineData("args.customer.tags.2")]
    [InlineData("args.customer.tags.x")]
    [InlineData("labels.team")]
    [InlineData("current.status.code")]
    [InlineData("amount")]
    [InlineData("args.")]
    [InlineData("agent.name")]
    public void TryResolve_AbsentOrInvalidPath_IsFalse(string path)
    {
        Assert.False(PolicyPaths.TryResolve(Request, path, out var value));
        Assert.Null(value);
    }

    [Fact]
    public void TryResolve_UnsetConfidenceAndEmptyAgentFields_AreAbsent()
    {
        var request = new CheckRequest { Tool = "t", Agent = new AgentContext { AgentId = "bot" }, Context = new CallContext() };

        Assert.False(PolicyPaths.TryResolve(request, "confidence", out _));
        Assert.False(PolicyPaths.TryResolve(request, "agent.on_behalf_of", out _));
        Assert.False(PolicyPaths.TryResolve(request, "args", out _));
        Assert.True(PolicyPaths.TryResolve(request, "agent.id", out _));
    }
}
