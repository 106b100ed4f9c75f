using System.Globalization;
using System.Text;
using System.Text.Json;
using Gate.Client.Evidence;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using GateSidecar.Audit;
using GateSidecar.Tests.Audit;
using GateSidecar.Tests.Tokens;
using GateSidecar.Tokens;
using Xunit;

namespace GateSidecar.Tests.Evidence;

/// <summary>An independent Python implementation agrees with the C# one on tokens, JCS and audit hashes.</summary>
public sealed class PythonInteropTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly string _dir = Directory.CreateTempSubdirectory("gate-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Token_ForNestedUnicodeAndNumericArguments_PythonVerifiesWithSameArgsHash()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        var args = Arguments();
        var issued = new TokenIssuer(keys, TimeProvider.System).Issue(TokenTestData.Input(args, tool: "payments.refund", tenant: "acme"));

        var verdict = await VerifyWithPython(keys, issued.Token, args, "payments.refund", "acme");

        Assert.True(verdict.GetProperty("valid").GetBoolean(), verdict.GetRawText());
        Assert.Equal(ArgsHash.Compute(args), verdict.GetProperty("args_sha256").GetString());
        Assert.Equal(issued.Jti, verdict.GetProperty("claims").GetProperty("jti").GetString());
        Assert.True(verdict.GetProperty("kid_is_thumbprint").GetBoolean());
    }

    [Fact]
    public async Task Token_WithAlteredArguments_PythonRejects()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        var args = Arguments();
        var issued = new TokenIssuer(keys, TimeProvider.System).Issue(TokenTestData.Input(args));
        var altered = args.Clone();
        altered.Fields["refund"].StructValue.Fields["amount"] = Value.ForNumber(900.5000001);

        var verdict = await VerifyWithPython(keys, issued.Token, altered, "payments.refund", "acme");

        Assert.False(verdict.GetProperty("valid").GetBoolean());
        Assert.Contains("arguments differ", verdict.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(ArgsHash.Compute(altered), verdict.GetProperty("args_sha256").GetString());
    }

    [Fact]
    public async Task Token_TamperedPayload_PythonRejectsSignature()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        var args = Arguments();
        var parts = new TokenIssuer(keys, TimeProvider.System).Issue(TokenTestData.Input(args)).Token.Split('.');
        var payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).Replace("acme", "acmf", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        var verdict = await VerifyWithPython(keys, tampered, args, "payments.refund", "acmf");

        Assert.Equal("bad signature", verdict.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Jcs_RandomNumbersStringsAndKeys_PythonProducesIdenticalBytes()
    {
        var random = new Random(20261121);
        var json = RandomDocument(random, 6000);
        var input = Path.Combine(_dir, "random.json");
        await File.WriteAllTextAsync(input, json, TestContext.Current.CancellationToken);

        var (_, python) = await PythonEvidenceScript.RunAsync("jcs", "--input", input).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        var csharp = Jcs.Canonicalize(Encoding.UTF8.GetBytes(json));
        Assert.Equal(Encoding.UTF8.GetString(csharp), Encoding.UTF8.GetString(python));
    }

    [Fact]
    public async Task AuditChain_PythonRecomputesEveryHashAndLink_AndSpotsATamperedEntry()
    {
        var chain = AuditTestData.Chain(24);
        var intact = Path.Combine(_dir, "audit.jsonl");
        await File.WriteAllLinesAsync(intact, chain.Select(e => JsonFormatter.Default.Format(e)), TestContext.Current.CancellationToken);
        chain[9].Actor = "approver:mallory";
        var tampered = Path.Combine(_dir, "audit-tampered.jsonl");
        await File.WriteAllLinesAsync(tampered, chain.Select(e => JsonFormatter.Default.Format(e)), TestContext.Current.CancellationToken);

        using var ok = JsonDocument.Parse((await PythonEvidenceScript.RunAsync("audit-hashes", "--input", intact).WaitAsync(Timeout, TestContext.Current.CancellationToken)).Stdout);
        using var bad = JsonDocument.Parse((await PythonEvidenceScript.RunAsync("audit-hashes", "--input", tampered).WaitAsync(Timeout, TestContext.Current.CancellationToken)).Stdout);

        Assert.True(ok.RootElement.GetProperty("ok").GetBoolean(), ok.RootElement.GetRawText());
        Assert.Equal(24, ok.RootElement.GetProperty("entries").GetInt32());
        Assert.False(bad.RootElement.GetProperty("ok").GetBoolean());
        var problem = Assert.Single(bad.RootElement.GetProperty("problems").EnumerateArray());
        Assert.Equal("10", problem.GetProperty("seq").GetString());
        Assert.Equal(AuditChain.ComputeHash(chain[9]), problem.GetProperty("recomputed").GetString());
    }

    private static Struct Arguments() => JsonParser.Default.Parse<Struct>("""
        {
          "refund": {"amount": 900.5, "currency": "EUR", "ratio": 0.1, "tiny": 1e-7, "huge": 1e21, "count": 3, "neg": -0.0},
          "customer": {"名前": "Zoë Ångström", "emoji": "😀", "ctrl": "line1\nline2\t\u0001", "quote": "\"hi\" \\ /"},
          "ids": [1, 2, 9007199254740991, 123456789012345680000],
          "€": true, "\ufb33": null, "\ud83d\ude00": [], "z": {}
        }
        """);

    private async Task<JsonElement> VerifyWithPython(SigningKeyRing keys, string token, Struct args, string tool, string tenant)
    {
        var jwks = Path.Combine(_dir, "jwks.json");
        var tokenFile = Path.Combine(_dir, "token.txt");
        var argsFile = Path.Combine(_dir, "args.json");
        var ct = TestContext.Current.CancellationToken;
        await File.WriteAllTextAsync(jwks, keys.Jwks.Json, ct);
        await File.WriteAllTextAsync(tokenFile, token, ct);
        await File.WriteAllTextAsync(argsFile, JsonFormatter.Default.Format(args), ct);

        var (stdout, _) = await PythonEvidenceScript.RunAsync(
            "verify-token", "--jwks", jwks, "--token", tokenFile, "--args", argsFile, "--tool", tool, "--tenant", tenant).WaitAsync(Timeout, ct);
        using var document = JsonDocument.Parse(stdout);
        return document.RootElement.Clone();
    }

    /// <summary>JSON in a non-canonical spelling: shuffled keys, whitespace, "R"-formatted doubles.</summary>
    private static string RandomDocument(Random random, int items)
    {
        var text = new StringBuilder("{ \"numbers\": [");
        Span<byte> bits = stackalloc byte[8];
        for (var i = 0; i < items; i++)
        {
            double d;
            do
            {
                random.NextBytes(bits);
                d = BitConverter.ToDouble(bits);
            }
            while (!double.IsFinite(d));

            d = (i % 4) switch
            {
                0 => d,
                1 => Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-12, 25)), random.Next(0, 10)),
                2 => random.NextInt64(-(1L << 53), 1L << 53),
                _ => random.NextDouble() * Math.Pow(10, random.Next(-320, 300)),
            };
            text.Append(i == 0 ? " " : " , ").Append(d.ToString("R", CultureInfo.InvariantCulture));
        }

        text.Append(" ],\n \"objects\": [");
        for (var i = 0; i < 400; i++)
        {
            text.Append(i == 0 ? "{" : ", {");
            var keys = Enumerable.Range(0, 6).Select(_ => RandomString(random)).Distinct(StringComparer.Ordinal).ToArray();
            for (var k = 0; k < keys.Length; k++)
            {
                text.Append(k == 0 ? string.Empty : ", ").Append(JsonSerializer.Serialize(keys[k])).Append(": ").Append(JsonSerializer.Serialize(RandomString(random)));
            }

            text.Append('}');
        }

        return text.Append("] }").ToString();
    }

    private static string RandomString(Random random)
    {
        string[] pieces = ["a", "Z", "0", "\u0000", "\u001f", "\n", "\"", "\\", "/", "é", "€", "\u2028", "\ufb33", "😀", "𝄞", "\u007f", "ÿ", "日本"];
        var s = new StringBuilder();
        for (var i = random.Next(0, 6); i > 0; i--)
        {
            s.Append(pieces[random.Next(pieces.Length)]);
        }

        return s.ToString();
    }
}
