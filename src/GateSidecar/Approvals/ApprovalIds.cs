using System.Security.Cryptography;

namespace GateSidecar.Approvals;

internal static class ApprovalIds
{
    /// <summary>128 random bits as 32 lowercase hex characters: unguessable, URL-safe.</summary>
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
