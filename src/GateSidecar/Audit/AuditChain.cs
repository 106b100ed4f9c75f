using System.Buffers;
using System.Security.Cryptography;
using Gate.V1;

namespace GateSidecar.Audit;

/// <summary>
/// The hash chain of the audit trail: each entry's <c>hash</c> is SHA-256 over its canonical form,
/// which includes its <c>seq</c> and its <c>prev_hash</c> (the previous entry's <c>hash</c>), so
/// changing, removing or reordering any stored entry breaks the chain at that entry.
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
        draft.Hash = string.Empty;
        draft.Hash = ComputeHash(draft);
        return draft;
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>The hash an entry must carry: lowercase hex SHA-256 of <see cref="AuditCanonicalForm"/>; its own <c>hash</c> field is ignored.</summary>
    public static string ComputeHash(AuditEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        if (AuditCanonicalWriter.TryWrite(buffer, entry))
        {
            SHA256.HashData(buffer.WrittenSpan, digest);
        }
        else
        {
            SHA256.HashData(AuditCanonicalForm.ToBytes(entry), digest);
        }

        if (buffer.Capacity > 64 * 1024)
        {
            t_buffer = null; // an unusually large entry: do not keep its buffer per thread
        }

        return Convert.ToHexStringLower(digest);
    }
}
