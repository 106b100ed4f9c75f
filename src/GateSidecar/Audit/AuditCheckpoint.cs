using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Gate.Client.Evidence;
using Gate.V1;
using GateSidecar.Tokens;

namespace GateSidecar.Audit;

/// <summary>
/// What remains of the pruned head of the audit chain: the last pruned entry's <c>seq</c> and
/// <c>hash</c>, signed (ES256, base64url r||s) so that verification can start from it. The signature
/// covers the JCS form of <c>{"at","hash","kid","through_seq"}</c>, <c>at</c> as RFC 3339 UTC with
/// milliseconds.
/// </summary>
internal readonly record struct AuditCheckpoint(long ThroughSeq, string Hash, DateTimeOffset At, string KeyId, string Signature)
{
    /// <summary>Signs a checkpoint for the entries up to and including <paramref name="lastPruned"/>.</summary>
    public static AuditCheckpoint Create(AuditEvent lastPruned, DateTimeOffset at, SigningKeyRing keys)
    {
        ArgumentNullException.ThrowIfNull(lastPruned);
        return Create(lastPruned.Seq, lastPruned.Hash, at, keys);
    }

    /// <summary>Signs a checkpoint; <paramref name="at"/> is kept to the millisecond.</summary>
    public static AuditCheckpoint Create(long throughSeq, string hash, DateTimeOffset at, SigningKeyRing keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(throughSeq);
        if (hash is not { Length: 64 })
        {
            throw new ArgumentException("A checkpoint's hash is the 64-hex-digit hash of its last pruned entry.", nameof(hash));
        }

        var atMs = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
        var signed = SignedBytes(throughSeq, hash, atMs, keys.SigningKeyId);
        var signature = keys.Signer.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new AuditCheckpoint(throughSeq, hash, atMs, keys.SigningKeyId, Base64Url.EncodeToString(signature));
    }

    /// <summary>Checks the signature with the ring's published keys; <see langword="null"/> when it holds, else the problem.</summary>
    public string? VerifySignature(SigningKeyRing keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (KeyId is null || !keys.TryGetKey(KeyId, out var key))
        {
            return $"the checkpoint through seq {ThroughSeq} is signed by key \"{KeyId}\", which is not among the published keys";
        }

        byte[] signature;
        try
        {
            signature = Base64Url.DecodeFromChars(Signature);
        }
        catch (FormatException)
        {
            return $"the checkpoint through seq {ThroughSeq} carries a signature that is not base64url";
        }

        var signed = SignedBytes(ThroughSeq, Hash ?? string.Empty, At, KeyId);
        return signature.Length == 64 && key.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? null
            : $"the checkpoint through seq {ThroughSeq} does not match its signature: it was altered";
    }

    /// <summary>The bytes the signature covers.</summary>
    internal static byte[] SignedBytes(long throughSeq, string hash, DateTimeOffset at, string keyId)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("through_seq", throughSeq);
            writer.WriteString("hash", hash);
            writer.WriteString("at", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("kid", keyId);
            writer.WriteEndObject();
        }

        return Jcs.Canonicalize(buffer.ToArray());
    }
}
