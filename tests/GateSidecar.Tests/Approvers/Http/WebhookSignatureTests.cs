using System.Text;
using GateSidecar.Approvers.Http;

namespace GateSidecar.Tests.Approvers.Http;

public sealed class WebhookSignatureTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("s3cret");
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"approval_id\":\"a\"}");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Fact]
    public void Create_IsHexHmacOfTimestampDotBody()
    {
        var header = WebhookSignature.Create(Secret, 1_800_000_000, Body);
        Assert.Equal(DecisionWebhookTests.Sign("s3cret", 1_800_000_000, Body), header);
        Assert.Matches("^t=1800000000,v1=[0-9a-f]{64}$", header);
    }

    [Fact]
    public void Verify_MatchingSignature_IsOkWithItsTimestamp()
    {
        var check = WebhookSignature.Verify(Secret, WebhookSignature.Create(Secret, 1_800_000_000, Body), Body, Now.AddMinutes(4));
        Assert.True(check.Ok);
        Assert.Equal(1_800_000_000, check.Timestamp);
    }

    [Fact]
    public void Verify_AnyOfSeveralV1Values_IsEnough()
    {
        var good = WebhookSignature.Create(Secret, 1_800_000_000, Body).Split(",v1=")[1];
        var header = $"t=1800000000,v1={new string('0', 64)},v1={good}";
        Assert.True(WebhookSignature.Verify(Secret, header, Body, Now).Ok);
    }

    [Theory]
    [InlineData(null, "Missing")]
    [InlineData("", "Missing")]
    [InlineData("v1=abc", "Malformed")]
    [InlineData("t=1800000000", "Malformed")]
    [InlineData("t=1800000000,v1=zz", "Mismatch")]
    [InlineData("t=1800000000,v1=0000000000000000000000000000000000000000000000000000000000000000", "Mismatch")]
    public void Verify_BadHeaders_AreRefused(string? header, string expected)
    {
        var check = WebhookSignature.Verify(Secret, header, Body, Now);
        Assert.Equal(expected, check.Failure.ToString());
        Assert.False(string.IsNullOrWhiteSpace(check.Message));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Verify_TimestampMoreThanFiveMinutesAway_IsStale(int seconds)
    {
        var header = WebhookSignature.Create(Secret, 1_800_000_000, Body);
        Assert.Equal(SignatureFailure.Stale, WebhookSignature.Verify(Secret, header, Body, Now.AddSeconds(-seconds)).Failure);
    }
}
