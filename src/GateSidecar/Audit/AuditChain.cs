using System.Security.Cryptography;
using Gate.V1;
using Google.Protobuf;

namespace GateSidecar.Audit;

/// <summary>
/// The hash chain of the audit trail: each entry's <c>hash</c> is SHA-256 over its
/// <c>prev_hash</c> and the canonical form of the entry, so changing, removing or reordering any
/// stored entry breaks the chain at that entry.
/// </summary>
internal static class AuditChain
{
    /// <summary>The <c>prev_hash</c> of the first entry.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Assigns <paramref name="seq"/> and <paramref name="prevHash"/> to a draft and computes its hash.</summary>
    public static AuditEvent Seal(AuditEvent draft, long seq, string prevHash)
    {
        draft.Seq = seq;
        draft.PrevHash = prevHash;
        draft.Hash = ComputeHash(draft);
        return draft;
    }

    /// <summary>The hash an entry must carry, given its own <c>prev_hash</c>.</summary>
    public static string ComputeHash(AuditEvent entry)
    {
        var copy = entry.Clone();
        copy.Hash = string.Empty;
        var canonical = AuditCanonicalForm.ToBytes(copy);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(canonical, digest);
        return Convert.ToHexStringLower(digest);
    }
}
