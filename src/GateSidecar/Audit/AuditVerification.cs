namespace GateSidecar.Audit;

/// <summary>The result of re-checking the audit chain (maps onto <c>gate.v1.VerifyResponse</c>).</summary>
/// <param name="Ok">Every entry recomputes and links to its predecessor.</param>
/// <param name="EntriesChecked">Entries examined, the failing one included.</param>
/// <param name="FirstBadSeq">The <c>seq</c> of the first stored entry that fails; 0 when <paramref name="Ok"/>.</param>
/// <param name="Detail">What is wrong, or a summary when ok.</param>
internal readonly record struct AuditVerification(bool Ok, long EntriesChecked, long FirstBadSeq, string Detail)
{
    public static AuditVerification Success(long entriesChecked, string detail) => new(true, entriesChecked, 0, detail);

    public static AuditVerification Failure(long entriesChecked, long firstBadSeq, string detail) =>
        new(false, entriesChecked, firstBadSeq, detail);
}
