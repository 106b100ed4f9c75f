using Gate.V1;
using Google.Protobuf;

namespace GateSidecar.Audit;

/// <summary>The bytes an audit entry's hash covers.</summary>
internal static class AuditCanonicalForm
{
    public static byte[] ToBytes(AuditEvent entryWithoutHash) => entryWithoutHash.ToByteArray();
}
