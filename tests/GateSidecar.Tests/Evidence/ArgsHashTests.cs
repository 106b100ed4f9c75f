using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gate.Client.Evidence;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Xunit;

namespace GateSidecar.Tests.Evidence;

public sealed class ArgsHashTests
{
    [Fact]
    public void Compute_NullOrEmptyArguments_IsHashOfEmptyObject()
    {
        var expected = Convert.ToHexStringLower(SHA256.HashData("{}"u8));

        Assert.Equal(expected, ArgsHash.Compute((Struct?)null));
        Assert.Equal(expected, ArgsHash.Compute(new Struct()));
        Assert.Equal(ArgsHash.Empty, expected);
    }

    [Fact]
    public void Compute_IsLowercaseHexSha256OfCanonicalJson()
    {
        var args = JsonParser.Default.Parse<Struct>("""{"b": 2.50, "a": "x"}""");

        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("{\"a\":\"x\",\"b\":2.5}")));

        Assert.Equal(expected, ArgsHash.Compute(args));
    }

    [Fact]
    public void Compute_KeyOrderAndNumberSpelling_DoNotChangeTheHash()
    {
        var first = JsonParser.Default.Parse<Struct>("""{"amount": 900, "customer_id": "c-1", "meta": {"x": 1, "y": [1.0, 2]}}""");
        var second = JsonParser.Default.Parse<Struct>("""{"meta": {"y": [1, 2.0], "x": 1e0}, "customer_id": "c-1", "amount": 9.0e2}""");

        Assert.Equal(ArgsHash.Compute(first), ArgsHash.Compute(second));
    }

    [Fact]
    public void Compute_AnyValueChange_ChangesTheHash()
    {
        var original = JsonParser.Default.Parse<Struct>("""{"amount": 900, "currency": "EUR"}""");
        var edited = JsonParser.Default.Parse<Struct>("""{"amount": 900.01, "currency": "EUR"}""");

        Assert.NotEqual(ArgsHash.Compute(original), ArgsHash.Compute(edited));
    }

    [Fact]
    public void Compute_JsonElementAndStruct_Agree()
    {
        const string json = """{"to": "ops@example.com", "body": "héllo\n", "n": [0.1, -0, 1e-7]}""";
        using var document = JsonDocument.Parse(json);

        Assert.Equal(ArgsHash.Compute(JsonParser.Default.Parse<Struct>(json)), ArgsHash.Compute(document.RootElement));
    }
}
