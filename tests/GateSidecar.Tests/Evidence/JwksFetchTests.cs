using System.Net;
using Gate.Client.Evidence;
using GateSidecar.Tests.Tokens;
using GateSidecar.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace GateSidecar.Tests.Evidence;

public sealed class JwksFetchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task FetchJwksAsync_FromRealHttpPort_VerifiesTokensOffline()
    {
        var ct = TestContext.Current.CancellationToken;
        using var keys = SigningKeyRing.CreateEphemeral();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapGet("/.well-known/jwks.json", () => Results.Bytes(keys.Jwks.Utf8Json, JwksDocument.ContentType));
        await app.StartAsync(ct).WaitAsync(Timeout, ct);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        using var fromBase = await TokenVerifier.FetchJwksAsync(address, cancellationToken: ct).WaitAsync(Timeout, ct);
        using var fromFull = await TokenVerifier.FetchJwksAsync(new Uri(address, "/.well-known/jwks.json"), cancellationToken: ct).WaitAsync(Timeout, ct);
        var missing = await Assert.ThrowsAsync<HttpRequestException>(() => TokenVerifier.FetchJwksAsync(new Uri(address, "/nope"), cancellationToken: ct).WaitAsync(Timeout, ct));
        await app.StopAsync(ct).WaitAsync(Timeout, ct);

        var args = TokenTestData.Arguments();
        var token = new TokenIssuer(keys, TimeProvider.System).Issue(TokenTestData.Input(args)).Token;
        Assert.Equal([keys.SigningKeyId], fromBase.KeyIds);
        Assert.True(fromBase.Verify(token, "payments.refund", args, "acme").Valid);
        Assert.True(fromFull.Verify(token, "payments.refund", args).Valid);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
