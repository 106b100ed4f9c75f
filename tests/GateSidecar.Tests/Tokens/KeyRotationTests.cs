using System.Security.Cryptography;
using System.Text.Json;
using Gate.Client.Evidence;
using GateSidecar.Tests.Approvals.Functional;
using GateSidecar.Tokens;

namespace GateSidecar.Tests.Tokens;

/// <summary>
/// Rotation with a repeated <c>--signing-key</c>: the first key signs, the others stay published, so
/// tokens signed before the rotation still verify against the JWKS the sidecar serves.
/// </summary>
public sealed class KeyRotationTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("gate-rotation-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task RepeatedSigningKey_JwksListsBoth_NewKeySigns_OldTokensStillVerify()
    {
        var oldKey = WriteKey("old.pem");
        var newKey = WriteKey("new.pem");
        string oldToken;
        string oldKid;
        using (var before = SigningKeyRing.Load([oldKey]))
        {
            oldKid = before.SigningKeyId;
            var args = ApprovalSidecar.Refund(250).Arguments;
            oldToken = new TokenIssuer(before, TimeProvider.System)
                .Issue(new TokenClaimsInput("apr_before_rotation", "payments.refund", "acme", "agent-7", "small-refund", "test-1", ArgsHash.Compute(args)))
                .Token;
        }

        await using var sidecar = await ApprovalSidecar.StartAsync(
            directory: Path.Combine(_dir, "sidecar"),
            configure: o => o with { SigningKeyPaths = [newKey, oldKey] });
        using var http = new HttpClient();
        var jwks = await http.GetStringAsync(new Uri(sidecar.HttpAddress, "/.well-known/jwks.json")).WaitAsync(Wait);
        using var verifier = TokenVerifier.FromJwks(jwks);
        var allowed = await sidecar.Gate.CheckAsync(ApprovalSidecar.Refund(250)).WaitAsync(Wait);

        using var newRing = SigningKeyRing.Load([newKey]);
        Assert.Equal([newRing.SigningKeyId, oldKid], Kids(jwks));
        Assert.True(verifier.Verify(oldToken, "payments.refund", ApprovalSidecar.Refund(250).Arguments, "acme").Valid);
        var issued = verifier.Verify(allowed.Token, "payments.refund", ApprovalSidecar.Refund(250).Arguments, "acme");
        Assert.True(issued.Valid, issued.Error);
        Assert.Equal(newRing.SigningKeyId, issued.Claims!.KeyId);
    }

    private string WriteKey(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    private static List<string> Kids(string jwks)
    {
        using var document = JsonDocument.Parse(jwks);
        return [.. document.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
    }
}
