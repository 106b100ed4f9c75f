using System.Text;
using System.Text.Json;
using Gate.Client.Evidence;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Xunit;

namespace GateSidecar.Tests.Evidence;

public sealed class JcsTests
{
    // RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void Number_Rfc8785AppendixB_FormatsAsEcmaScript(string ieeeHex, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(Convert.ToInt64(ieeeHex, 16));

        Assert.Equal(expected, Jcs.CanonicalizeToString(Value.ForNumber(value)));
    }

    [Theory]
    [InlineData("1E30", "1e+30")]
    [InlineData("4.50", "4.5")]
    [InlineData("2e-3", "0.002")]
    [InlineData("0.000000000000000000000000001", "1e-27")]
    [InlineData("333333333.33333329", "333333333.3333333")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("-0.0", "0")]
    [InlineData("10", "10")]
    [InlineData("10.0", "10")]
    [InlineData("295147905179352825856", "295147905179352830000")]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("123.456e-2", "1.23456")]
    public void Number_FromJsonText_IsReadAsDoubleAndFormatted(string json, string expected)
    {
        Assert.Equal(expected, Jcs.CanonicalizeToString(json));
    }

    [Fact]
    public void Object_Rfc8785SampleWithNumbersStringsAndLiterals_MatchesRfcOutput()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        const string expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";

        Assert.Equal(expected, Jcs.CanonicalizeToString(input));
        Assert.Equal(expected, Jcs.CanonicalizeToString(JsonParser.Default.Parse<Struct>(input)));
    }

    [Fact]
    public void Object_Rfc8785SortingSample_SortsKeysByUtf16CodeUnits()
    {
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;
        // U+1F600 (surrogates D83D DE00) sorts before U+FB33 by code units, after it by code points.
        const string expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
            + "\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";

        Assert.Equal(expected, Jcs.CanonicalizeToString(input));
        Assert.Equal(expected, Jcs.CanonicalizeToString(JsonParser.Default.Parse<Struct>(input)));
    }

    [Fact]
    public void String_ControlCharacters_EscapedAsJsonStringify()
    {
        var value = Value.ForString("a\u0000\u0001\b\f\n\r\t\u001f\u007f\"\\/</script>\u2028é😀");

        var text = Jcs.CanonicalizeToString(value);

        // Only C0 controls, quote and backslash are escaped; DEL, U+2028, '/', '<' and non-ASCII stay literal.
        Assert.Equal("\"a\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\u007f\\\"\\\\/</script>\u2028é😀\"", text);
        Assert.Equal(Encoding.UTF8.GetBytes(text), Jcs.Canonicalize(value));
    }

    [Fact]
    public void Struct_NestedWithWhitespace_HasNoWhitespaceAndSortedKeysAtEveryLevel()
    {
        var value = JsonParser.Default.Parse<Struct>("""{ "b": { "z": 1, "a": [ { "y": true, "x": null } ] }, "a": "s p a c e" }""");

        Assert.Equal("{\"a\":\"s p a c e\",\"b\":{\"a\":[{\"x\":null,\"y\":true}],\"z\":1}}", Jcs.CanonicalizeToString(value));
    }

    [Fact]
    public void Number_NaNInsideStruct_ThrowsNamingThePath()
    {
        var value = new Struct();
        value.Fields["items"] = Value.ForList(Value.ForNumber(1), Value.ForStruct(new Struct { Fields = { ["price"] = Value.ForNumber(double.NaN) } }));

        var error = Assert.Throws<JcsException>(() => Jcs.Canonicalize(value));

        Assert.Equal("/items/1/price", error.Path);
        Assert.Contains("/items/1/price", error.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Number_Infinity_Throws()
    {
        Assert.Throws<JcsException>(() => Jcs.Canonicalize(Value.ForNumber(double.PositiveInfinity)));
        Assert.Throws<JcsException>(() => Jcs.CanonicalizeToString("[1e400]"));
    }

    [Fact]
    public void String_LoneSurrogate_Throws()
    {
        var value = new Struct { Fields = { ["k"] = Value.ForString("x\ud800y") } };

        var error = Assert.Throws<JcsException>(() => Jcs.Canonicalize(value));

        Assert.Equal("/k", error.Path);
        Assert.Throws<JcsException>(() => Jcs.CanonicalizeToString("{\"k\":\"\\ud800\"}"));
    }

    [Fact]
    public void Object_DuplicateKeyInJsonText_Throws()
    {
        var error = Assert.Throws<JcsException>(() => Jcs.CanonicalizeToString("{\"a\":1,\"b\":2,\"a\":3}"));

        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_WithNoKindSet_Throws()
    {
        var value = new Struct { Fields = { ["empty"] = new Value() } };

        Assert.Equal("/empty", Assert.Throws<JcsException>(() => Jcs.Canonicalize(value)).Path);
    }

    [Fact]
    public void Nesting_DeeperThanLimit_Throws()
    {
        var value = Value.ForNumber(1);
        for (var i = 0; i < Jcs.MaxDepth + 5; i++)
        {
            value = Value.ForList(value);
        }

        Assert.Throws<JcsException>(() => Jcs.Canonicalize(value));
    }

    [Fact]
    public void JsonElement_AndStructOfSameJson_GiveSameBytes()
    {
        const string json = """{"amount": 900.5, "ids": [1, 2, 3e3], "customer": {"name": "Zoë", "tier": "gold"}, "ok": false}""";
        using var document = JsonDocument.Parse(json);

        Assert.Equal(Jcs.Canonicalize(document.RootElement), Jcs.Canonicalize(JsonParser.Default.Parse<Struct>(json)));
    }
}
