using System.Buffers.Binary;
using System.Security.Cryptography;

namespace GateSidecar.Approvals;

internal static class ApprovalIds
{
    /// <summary>Characters of an id: 12 hex of time, 32 hex of randomness.</summary>
    public const int Length = 44;

    /// <summary>
    /// A new approval id: the creation time (48-bit Unix milliseconds, big-endian) followed by 128
    /// random bits, as 44 lowercase hex characters. The random part makes it unguessable; the time
    /// prefix makes ids increase, so the stores' indexes on the id (and on approval_id in the audit
    /// table) grow at their right edge instead of dirtying a random page per insert, which in the
    /// SQLite store was most of the bytes written per call.
    /// </summary>
    public static string New() => New(TimeProvider.System);

    /// <inheritdoc cref="New()"/>
    public static string New(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Span<byte> bytes = stackalloc byte[8 + 16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, time.GetUtcNow().ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(bytes[8..]);
        return Convert.ToHexStringLower(bytes[2..]);
    }
}
