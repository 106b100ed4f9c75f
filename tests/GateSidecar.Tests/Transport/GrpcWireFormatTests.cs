using Gate.Client.Internal;
using GateSidecar.Transport;
using Xunit;

namespace GateSidecar.Tests.Transport;

public sealed class GrpcWireFormatTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("1500u", 15_000L)]
    [InlineData("900n", 9L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    [InlineData("0m", 0L)]
    public void GrpcTimeout_ValidValue_ParsesToTheRightDuration(string value, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(value, out var timeout));
        Assert.Equal(TimeSpan.FromTicks(ticks), timeout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("10")]
    [InlineData("123456789m")]
    [InlineData("-5m")]
    [InlineData("5 m")]
    [InlineData("5ms")]
    [InlineData("5h")]
    public void GrpcTimeout_InvalidValue_IsRejected(string value)
    {
        Assert.False(GrpcTimeout.TryParse(value, out _));
    }

    [Theory]
    [InlineData(0.001, "1u")]
    [InlineData(250, "250000u")]
    [InlineData(120_000, "120000m")]
    [InlineData(200_000_000, "200000S")]
    public void ClientTimeoutHeader_UsesAtMostEightDigits_RoundingUp(double milliseconds, string expected)
    {
        var header = GrpcHeaders.EncodeTimeout(TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal(expected, header);
        Assert.True(GrpcTimeout.TryParse(header, out var parsed));
        Assert.True(parsed >= TimeSpan.FromMilliseconds(milliseconds));
    }

    [Fact]
    public void GrpcMessage_PlainAscii_IsSentAsIs()
    {
        Assert.Equal("approval apr_1 not found", GrpcMessageEncoding.Encode("approval apr_1 not found"));
    }

    [Theory]
    [InlineData("100%", "100%25")]
    [InlineData("é", "%C3%A9")]
    [InlineData("a\nb", "a%0Ab")]
    [InlineData("€", "%E2%82%AC")]
    public void GrpcMessage_PercentAndNonPrintable_ArePercentEncodedUtf8(string message, string encoded)
    {
        Assert.Equal(encoded, GrpcMessageEncoding.Encode(message));
    }

    [Theory]
    [InlineData("Größe ≠ 100% — 日本語 🚀")]
    [InlineData("tab\there, newline\nthere")]
    [InlineData("%zz stays %")]
    public void GrpcMessage_RoundTripsThroughServerEncodingAndClientDecoding(string message)
    {
        Assert.Equal(message, GrpcHeaders.DecodeMessage(GrpcMessageEncoding.Encode(message)));
    }

    [Fact]
    public void ClientDecoding_MalformedEscape_IsKept()
    {
        Assert.Equal("50%x and %4", GrpcHeaders.DecodeMessage("50%x and %4"));
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("APPLICATION/GRPC", true)]
    [InlineData("application/grpc+json", false)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void ContentType_OnlyGrpcProtobufIsAccepted(string? contentType, bool accepted)
    {
        Assert.Equal(accepted, GrpcProtocol.IsGrpcContentType(contentType));
    }
}
