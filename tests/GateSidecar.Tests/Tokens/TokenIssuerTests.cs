using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text.Json;
using Gate.Client.Evidence;
using GateSidecar.Tokens;
using Xunit;

namespace GateSidecar.Tests.Tokens;

public sealed class TokenIssuerTests
{
    [Fact]
    public void Issue_ThenVerify_RoundTripsEveryClaim()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        var clock = new ManualClock(TokenTestData.Start);
        var issuer = new TokenIssuer(keys, clock);
        var args = TokenTestData.Arguments();

        var issued = issuer.Issue(TokenTestData.Input(args));
        using var verifier = keys.CreateVerifier(new TokenVerifierOptions { TimeProvider = clock });
        var result = verifier.Verify(issued.Token, "payments.refund", args, "acme");

        Assert.True(result.Valid, result.Error);
        var claims = result.Claims!;
        Assert.Equal("gate", claims.Issuer);
        Assert.Equal("apr_01HZX", claims.ApprovalId);
        Assert.Equal(issued.Jti, claims.TokenId);
        Assert.Equal(TokenTestData.Start, claims.IssuedAt);
        Assert.Equal(TokenTestData.Start.AddMinutes(5), claims.ExpiresAt);
        Assert.Equal(issued.ExpiresAt, claims.ExpiresAt);
        Assert.Equal("payments.refund", claims.Tool);
        Assert.Equal("acme", claims.Tenant);
        Assert.Equal("agent-7", claims.Agent);
        Assert.Equal("large-refund", claims.Rule);
        Assert.Equal("2026-11-21.1", claims.PolicyVersion);
        Assert.Equal(ArgsHash.Compute(args), claims.ArgsSha256);
        Assert.Equal(keys.SigningKeyId, claims.KeyId);
    }

    [Fact]
    public void Issue_HeaderAndPayload_CarryExactlyTheContractFields()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        var issuer = new TokenIssuer(keys, new ManualClock(TokenTestData.Start));

        var parts = issuer.Issue(TokenTestData.Input(TokenTestData.Arguments())).Token.Split('.');

        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        Assert.Equal(["alg", "typ", "kid"], header.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.RootElement.GetProperty("typ").GetString());
        Assert.Equal(keys.SigningKeyId, header.RootElement.GetProperty("kid").GetString());
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        Assert.Equal(
            ["iss", "sub", "jti", "iat", "exp", "tool", "tenant", "agent", "rule", "policy_version", "args_sha256"],
            payload.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(TokenTestData.Start.ToUnixTimeSeconds(), payload.RootElement.GetProperty("iat").GetInt64());
        Assert.Equal(64, Base64Url.DecodeFromChars(parts[2]).Length); // r || s, not DER
    }

    [Fact]
    public void Issue_ConfiguredLifetime_SetsExp()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        var issuer = new TokenIssuer(keys, new ManualClock(TokenTestData.Start), TimeSpan.FromSeconds(90));

        var issued = issuer.Issue(TokenTestData.Input(TokenTestData.Arguments()));

        Assert.Equal(TokenTestData.Start.AddSeconds(90), issued.ExpiresAt);
        Assert.Equal(issued.ExpiresAt, TokenVerifier.ReadClaimsUnverified(issued.Token).ExpiresAt);
    }

    [Fact]
    public void Constructor_LifetimeBelowOneSecond_Throws()
    {
        using var keys = SigningKeyRing.CreateEphemeral();

        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenIssuer(keys, TimeProvider.System, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void Issue_MissingArgsHash_Throws()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        var issuer = new TokenIssuer(keys, TimeProvider.System);

        Assert.Throws<ArgumentException>(() => issuer.Issue(TokenTestData.Input(TokenTestData.Arguments()) with { ArgsSha256 = "" }));
    }

    [Fact]
    public async Task Issue_ManyThreadsAtOnce_EveryTokenVerifiesWithUniqueJti()
    {
        using var keys = SigningKeyRing.CreateEphemeral();
        var issuer = new TokenIssuer(keys, TimeProvider.System);
        using var verifier = keys.CreateVerifier();
        var args = TokenTestData.Arguments();
        var input = TokenTestData.Input(args);
        var jtis = new ConcurrentDictionary<string, bool>();
        var failures = new ConcurrentBag<string>();

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 250; i++)
            {
                var issued = issuer.Issue(input);
                var result = verifier.Verify(issued.Token, input.Tool, args, input.Tenant);
                if (!result.Valid || !jtis.TryAdd(issued.Jti, true))
                {
                    failures.Add(result.Error ?? $"duplicate jti {issued.Jti}");
                }
            }
        }));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Empty(failures);
        Assert.Equal(2000, jtis.Count);
    }
}
