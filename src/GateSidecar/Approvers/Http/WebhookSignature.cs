using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GateSidecar.Approvers.Http;

/// <summary>Why a signature was refused.</summary>
internal enum SignatureFailure
{
    None,
    Missing,
    Malformed,
    Stale,
    Mismatch,
}

/// <summary>The outcome of <see cref="WebhookSignature.Verify"/>: the timestamp and signature that matched, or why none did.</summary>
internal readonly record struct SignatureCheck(SignatureFailure Failure, long Timestamp, string Signature, string Message)
{
    public bool Ok => Failure == SignatureFailure.None;
}

/// <summary>
/// <c>X-Gate-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;body&gt;")&gt;</c>, the same for
/// inbound decisions and outbound notifications. Several <c>v1=</c> values may be sent (while a secret
/// is rotated); one matching is enough.
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "X-Gate-Signature";

    /// <summary>How far a timestamp may be from now, either way.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string Create(byte[] secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[32];
        Compute(secret, unixSeconds, body, mac);
        return string.Create(CultureInfo.InvariantCulture, $"t={unixSeconds},v1={Convert.ToHexStringLower(mac)}");
    }

    public static SignatureCheck Verify(byte[] secret, string? header, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return Fail(SignatureFailure.Missing, $"missing {Header} header: sign the request as t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>");
        }

        long? timestamp = null;
        var candidates = new List<string>(1);
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal)
                && long.TryParse(part.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (part.StartsWith("v1=", StringComparison.Ordinal))
            {
                candidates.Add(part[3..]);
            }
        }

        if (timestamp is not { } ts || candidates.Count == 0)
        {
            return Fail(SignatureFailure.Malformed, $"{Header} must look like t=<unix seconds>,v1=<64 hex characters>");
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(ts, 0, 253402300799));
        if (age.Duration() > Tolerance)
        {
            return Fail(SignatureFailure.Stale, $"the signature's timestamp t={ts} is {(int)age.Duration().TotalSeconds}s away from the server's clock; sign each request when sending it (at most {(int)Tolerance.TotalMinutes} minutes apart) and check the clock");
        }

        Span<byte> expected = stackalloc byte[32];
        Compute(secret, ts, body, expected);
        Span<byte> given = stackalloc byte[32];
        foreach (var candidate in candidates)
        {
            // Compare every candidate in full, in constant time: timing must not reveal a partial match.
            if (candidate.Length == 64 && Convert.FromHexString(candidate, given, out _, out var written) == System.Buffers.OperationStatus.Done
                && written == 32 && CryptographicOperations.FixedTimeEquals(expected, given))
            {
                return new SignatureCheck(SignatureFailure.None, ts, candidate.ToLowerInvariant(), string.Empty);
            }
        }

        return Fail(SignatureFailure.Mismatch, $"the {Header} does not match the body: sign exactly the bytes sent, as HMAC-SHA256(secret, \"<t>.<body>\") in hex, with the secret given to --webhook-secret");
    }

    private static void Compute(byte[] secret, long unixSeconds, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        hmac.AppendData(Encoding.ASCII.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }

    private static SignatureCheck Fail(SignatureFailure failure, string message) => new(failure, 0, string.Empty, message);
}
