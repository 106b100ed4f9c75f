using Gate.V1;
using GateSidecar.Approvals;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace GateSidecar.Tests.Approvals;

/// <summary>
/// What a person sees of an approval: masked paths and no token, copied only as deep as needed,
/// the original never changed.
/// </summary>
public sealed class RedactorTests
{
    private static readonly string[] Paths = ["args.card_number", "current.secret"];

    [Fact]
    public void NothingToMask_NoToken_TheApprovalItself()
    {
        var approval = Approval(token: string.Empty);

        Assert.Same(approval, Redactor.Redact(approval, Paths));
        Assert.Same(approval, Redactor.Redact(approval, []));
    }

    [Fact]
    public void NothingToMask_WithToken_ACopyWithoutTokenSharingTheRest()
    {
        var approval = Approval(token: "a.b.c");
        var before = approval.Clone();

        var shown = Redactor.Redact(approval, Paths);

        Assert.NotSame(approval, shown);
        Assert.Empty(shown.Token);
        Assert.Same(approval.Request, shown.Request);
        Assert.Same(approval.FinalArguments, shown.FinalArguments);
        Assert.Equal(before, approval); // the original keeps its token
        var expected = before.Clone();
        expected.Token = string.Empty;
        Assert.Equal(expected, shown);
    }

    /// <summary>The shallow copy carries every field of Approval: one added to the proto and forgotten fails here.</summary>
    [Fact]
    public void CopyWithoutToken_CarriesEveryField()
    {
        var filled = ProtoFields.Filled(new Approval());

        var shown = Redactor.Redact(filled, []);

        Assert.Empty(shown.Token);
        shown = shown.Clone();
        shown.Token = filled.Token;
        Assert.Equal(filled, shown);
        Assert.NotEqual(string.Empty, filled.Token);
    }

    [Theory]
    [InlineData("arguments")]
    [InlineData("final")]
    [InlineData("edited")]
    [InlineData("diff")]
    [InlineData("current")]
    [InlineData("impact")]
    public void APathPresentAnywhere_ADeepCopyMasked_TheOriginalUntouched(string where)
    {
        var approval = Approval(token: "a.b.c");
        switch (where)
        {
            case "arguments":
                approval.Request.Arguments.Fields["card_number"] = Value.ForString("4111");
                break;
            case "final":
                approval.FinalArguments.Fields["card_number"] = Value.ForString("4111");
                break;
            case "edited":
                approval.Decisions.Add(new DecisionRecord { Approver = "alice", EditedArguments = new Struct { Fields = { ["card_number"] = Value.ForString("4111") } } });
                break;
            case "diff":
                approval.Diff.Add(new JsonPatchOp { Op = "add", Path = "/card_number", Value = Value.ForString("4111") });
                break;
            case "current":
                approval.Request.Current = new Struct { Fields = { ["secret"] = Value.ForString("s3cret") } };
                break;
            case "impact":
                approval.Impact.Add(new ImpactItem { Label = "args.card_number", Value = "4111" });
                break;
        }

        var before = approval.Clone();

        var shown = Redactor.Redact(approval, Paths);

        Assert.Equal(before, approval);
        Assert.Empty(shown.Token);
        Assert.NotSame(approval.Request, shown.Request);
        var json = JsonFormatter.Default.Format(shown);
        Assert.DoesNotContain("4111", json, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", json, StringComparison.Ordinal);
        Assert.Contains(Redactor.Mask, json, StringComparison.Ordinal);
        Assert.Equal(before.Request.Arguments.Fields["amount"], shown.Request.Arguments.Fields["amount"]);
    }

    private static Approval Approval(string token) => new()
    {
        ApprovalId = "ap_1",
        State = string.IsNullOrEmpty(token) ? ApprovalState.Pending : ApprovalState.Approved,
        Tier = RiskTier.Single,
        Pool = "finance",
        Token = token,
        Seq = 2,
        Request = new CheckRequest
        {
            CallId = "c1",
            Tool = "payments.refund",
            Arguments = new Struct { Fields = { ["amount"] = Value.ForNumber(900), ["order_id"] = Value.ForString("o-1") } },
            Agent = new AgentContext { AgentId = "agent-1", Tenant = "t" },
        },
        FinalArguments = new Struct { Fields = { ["amount"] = Value.ForNumber(900), ["order_id"] = Value.ForString("o-1") } },
        Impact = { new ImpactItem { Label = "args.amount", Value = "900" } },
        Decisions = { new DecisionRecord { Approver = "alice", Verdict = DecisionVerdict.Approve } },
    };
}
