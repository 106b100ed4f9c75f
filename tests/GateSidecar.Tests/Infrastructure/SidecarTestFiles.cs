using System.Security.Cryptography;
using System.Text;
using GateSidecar.Tests.Approvals;

namespace GateSidecar.Tests.Infrastructure;

/// <summary>
/// The files a test sidecar starts from: <c>policy.yaml</c> (<see cref="TestPolicies.Yaml"/> unless
/// given), <c>approvers.yaml</c> (approvers <see cref="ApproverIds"/>, token "&lt;id&gt;-token",
/// display name capitalised) and a fresh <c>signing-key.pem</c>.
/// </summary>
internal static class SidecarTestFiles
{
    public static readonly string[] ApproverIds = ["alice", "bob", "carol", "dave", "erin"];

    /// <summary>Writes the three files into <paramref name="directory"/> (created if needed).</summary>
    public static void Write(string directory, string? policyYaml = null)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "policy.yaml"), policyYaml ?? TestPolicies.Yaml);
        var approvers = new StringBuilder("approvers:\n");
        foreach (var id in ApproverIds)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id + "-token")));
            approvers.Append($"  - id: {id}\n    name: {char.ToUpperInvariant(id[0])}{id[1..]}\n    token_sha256: \"{hash}\"\n");
        }

        File.WriteAllText(Path.Combine(directory, "approvers.yaml"), approvers.ToString());
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(Path.Combine(directory, "signing-key.pem"), key.ExportPkcs8PrivateKeyPem());
    }
}
