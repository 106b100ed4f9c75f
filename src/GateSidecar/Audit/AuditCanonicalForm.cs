using System.Text.Json;
using Gate.Client.Evidence;
using Gate.V1;
using Google.Protobuf;

namespace GateSidecar.Audit;

/// <summary>
/// The bytes an audit entry's hash covers: RFC 8785 (JCS) canonical JSON of the entry's proto3 JSON
/// mapping (default <see cref="JsonFormatter"/>: lowerCamelCase names, default values omitted,
/// int64 as strings, enums by name, timestamps in RFC 3339) without its <c>hash</c> field. Any
/// language with a proto3 JSON printer and a JCS implementation recomputes it (docs/evidence.md).
/// </summary>
internal static class AuditCanonicalForm
{
    public static byte[] ToBytes(AuditEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var withoutHash = entry;
        if (entry.Hash.Length > 0)
        {
            withoutHash = entry.Clone();
            withoutHash.Hash = string.Empty; // the default value, so the printer omits the field
        }

        using var json = JsonDocument.Parse(JsonFormatter.Default.Format(withoutHash));
        return Jcs.Canonicalize(json.RootElement);
    }
}
