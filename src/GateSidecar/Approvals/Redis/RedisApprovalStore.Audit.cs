using System.Globalization;
using Gate.V1;
using GateSidecar.Audit;
using Google.Protobuf;
using StackExchange.Redis;

namespace GateSidecar.Approvals.Redis;

/// <summary>Audit entries without a record change, and the pruned head of the chain.</summary>
internal sealed partial class RedisApprovalStore
{
    public ValueTask AppendAuditAsync(IReadOnlyList<AuditEvent> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var atMs = StoreConventions.PrepareAudit(entries, string.Empty, _time);
        var write = new RedisAuditWrite(entries, atMs, cancellationToken);
        return new ValueTask(Writer.Enqueue(write, write.Task));
    }

    public async ValueTask<AuditCheckpoint?> GetAuditCheckpointAsync(CancellationToken cancellationToken)
    {
        var connection = Connection;
        var fields = await connection.RunAsync(
            connection.Database.HashGetAsync(_keys.AuditCheckpoint, [(RedisValue)"s", "h", "at", "kid", "sig"]),
            cancellationToken).ConfigureAwait(false);
        if (fields[0].IsNull)
        {
            return null;
        }

        return new AuditCheckpoint(
            long.Parse((string)fields[0]!, NumberStyles.None, CultureInfo.InvariantCulture),
            (string?)fields[1] ?? string.Empty,
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string?)fields[2] ?? "0", NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
            (string?)fields[3] ?? string.Empty,
            (string?)fields[4] ?? string.Empty);
    }

    public async ValueTask<bool> TryPruneAuditAsync(long expectedThroughSeq, AuditCheckpoint next, IReadOnlyList<AuditEvent> pruned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pruned);
        if (pruned.Count == 0 || pruned[^1].Seq != next.ThroughSeq)
        {
            throw new ArgumentException("pruned must end with the entry the checkpoint names (next.ThroughSeq).", nameof(pruned));
        }

        var approvalIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in pruned)
        {
            approvalIds.Add(entry.ApprovalId);
        }

        var args = new List<RedisValue>(8 + approvalIds.Count)
        {
            _keys.Prefix,
            expectedThroughSeq.ToString(CultureInfo.InvariantCulture),
            next.ThroughSeq.ToString(CultureInfo.InvariantCulture),
            next.Hash,
            next.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            next.KeyId,
            next.Signature,
            pruned[^1].ToByteArray(),
        };
        foreach (var id in approvalIds)
        {
            args.Add(id);
        }

        var connection = Connection;
        var reply = await connection.RunAsync(
            connection.Database.ScriptEvaluateAsync(RedisScripts.PruneAudit, [_keys.AuditHead], [.. args]),
            cancellationToken).ConfigureAwait(false);
        return (long)reply == 1;
    }
}
