using System.Globalization;
using Gate.V1;
using GateSidecar.Approvals.Stored;
using GateSidecar.Audit;
using Google.Protobuf;
using StackExchange.Redis;

namespace GateSidecar.Approvals.Redis;

/// <summary>
/// One queued write: the record's bytes and index fields, taken when it is queued, and its audit
/// drafts, sealed (again, if the chain head moved) just before each attempt.
/// </summary>
internal abstract class RedisWrite
{
    private readonly CancellationToken _cancellationToken;
    private readonly IReadOnlyList<AuditEvent> _audit;
    private readonly long[] _auditAtMs;
    private readonly StoredApproval? _record;
    private RedisOwnWrites.Offer? _offer;

    protected RedisWrite(StoredApproval record, IReadOnlyList<AuditEvent> audit, long[] auditAtMs, CancellationToken cancellationToken)
    {
        var approval = record.Approval;
        Id = approval.ApprovalId;
        State = approval.State;
        Pool = approval.Pool;
        Seq = approval.Seq;
        DeadlineMs = record.DeadlineUnixMs;
        Data = record.ToByteArray();
        _record = record;
        _audit = audit;
        _auditAtMs = auditAtMs;
        _cancellationToken = cancellationToken;
    }

    /// <summary>An audit-only write: no record, nothing published.</summary>
    protected RedisWrite(IReadOnlyList<AuditEvent> audit, long[] auditAtMs, CancellationToken cancellationToken)
    {
        Id = string.Empty;
        Pool = string.Empty;
        Data = [];
        _audit = audit;
        _auditAtMs = auditAtMs;
        _cancellationToken = cancellationToken;
    }

    public string Id { get; }

    protected ApprovalState State { get; }

    protected string Pool { get; }

    protected long Seq { get; }

    protected long DeadlineMs { get; }

    protected byte[] Data { get; }

    protected abstract string Kind { get; }

    /// <summary>The create's idempotency tail, or the update's expected seq.</summary>
    protected abstract string Condition { get; }

    protected abstract string Member { get; }

    /// <summary>Seals the drafts onto (headSeq, headHash), appends the script arguments, returns the new head.</summary>
    public (long Seq, string Hash) SealAndAppend(long headSeq, string headHash, List<RedisValue> args)
    {
        var entries = new RedisValue[_audit.Count * 4];
        for (var i = 0; i < _audit.Count; i++)
        {
            var entry = AuditChain.Seal(_audit[i], headSeq + 1, headHash);
            headSeq = entry.Seq;
            headHash = entry.Hash;
            entries[i * 4] = entry.Seq.ToString(CultureInfo.InvariantCulture);
            entries[(i * 4) + 1] = entry.ApprovalId;
            entries[(i * 4) + 2] = _auditAtMs[i].ToString(CultureInfo.InvariantCulture);
            entries[(i * 4) + 3] = entry.ToByteArray();
        }

        args.Add(Kind);
        args.Add(Id);
        args.Add(Condition);
        args.Add(Seq.ToString(CultureInfo.InvariantCulture));
        args.Add(((int)State).ToString(CultureInfo.InvariantCulture));
        args.Add(StoreConventions.IsPending(State) ? "1" : "0");
        args.Add(Pool);
        args.Add(Member);
        args.Add(DeadlineMs.ToString(CultureInfo.InvariantCulture));
        args.Add(Data);
        args.Add(_audit.Count == 0 ? string.Empty : headHash);
        args.Add(_audit.Count.ToString(CultureInfo.InvariantCulture));
        args.AddRange(entries);
        return (headSeq, headHash);
    }

    /// <summary>Offers the record to the announcement of this write, before it is sent (see <see cref="RedisOwnWrites"/>).</summary>
    public void Remember(RedisOwnWrites own) => _offer ??= own.Add(Id, Seq, Data, DeadlineMs, _record);

    /// <summary>The script's reply said this write applied: a change of its (id, seq) read from the change log is this write too.</summary>
    public void OfferApplied() => _offer?.MarkApplied();

    /// <summary>This write did not apply, or may not have: its record is no longer offered.</summary>
    public void Unremember(RedisOwnWrites own)
    {
        if (_offer is { } offer)
        {
            own.Forget(Id, Seq, offer);
        }
    }

    public bool TryStart()
    {
        if (_cancellationToken.IsCancellationRequested)
        {
            Cancel(_cancellationToken);
            return false;
        }

        return true;
    }

    /// <summary>The script applied the write.</summary>
    public abstract void Applied();

    public abstract void Fail(Exception exception);

    protected abstract void Cancel(CancellationToken cancellationToken);
}

/// <summary>Create-if-absent. Creates of the same key queued together ride on the first one.</summary>
internal sealed class RedisCreateWrite(
    StoredApproval record, IReadOnlyList<AuditEvent> audit, long[] auditAtMs, long createdMs, CancellationToken cancellationToken)
    : RedisWrite(record, audit, auditAtMs, cancellationToken)
{
    private readonly TaskCompletionSource<CreateResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StoredApproval _record = record;
    private List<RedisCreateWrite>? _followers;

    public Task<CreateResult> Task => _completion.Task;

    public string IdempotencyTail { get; } = RedisKeys.IdempotencyTail(StoreConventions.Tenant(record), record.Approval.Request.CallId);

    protected override string Kind => "C";

    /// <summary>Whether the script announces this creation when it applies (only a pending one).</summary>
    public bool Announced => StoreConventions.IsPending(State);

    protected override string Condition => IdempotencyTail;

    protected override string Member { get; } = RedisKeys.PoolMember(createdMs, record.Approval.ApprovalId);

    /// <summary>A later create of the same key: it gets this one's record, as if it had come after it.</summary>
    public void AddFollower(RedisCreateWrite follower) => (_followers ??= []).Add(follower);

    public override void Applied()
    {
        _completion.TrySetResult(new CreateResult(true, _record));
        Existing(_record, includeSelf: false);
    }

    /// <summary>The key already had a record: nothing was written.</summary>
    public void Existing(StoredApproval existing, bool includeSelf = true)
    {
        if (includeSelf)
        {
            _completion.TrySetResult(new CreateResult(false, existing));
        }

        foreach (var follower in _followers ?? [])
        {
            follower._completion.TrySetResult(new CreateResult(false, existing));
        }
    }

    public override void Fail(Exception exception)
    {
        _completion.TrySetException(exception);
        foreach (var follower in _followers ?? [])
        {
            follower._completion.TrySetException(exception);
        }
    }

    protected override void Cancel(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}

/// <summary>Compare-and-set on approval.seq.</summary>
internal sealed class RedisUpdateWrite(
    StoredApproval record, long expectedSeq, IReadOnlyList<AuditEvent> audit, long[] auditAtMs, CancellationToken cancellationToken)
    : RedisWrite(record, audit, auditAtMs, cancellationToken)
{
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<bool> Task => _completion.Task;

    protected override string Kind => "U";

    protected override string Condition { get; } = expectedSeq.ToString(CultureInfo.InvariantCulture);

    protected override string Member => string.Empty;

    public override void Applied() => _completion.TrySetResult(true);

    /// <summary>The stored seq was not the expected one (or there is no such record): nothing was written.</summary>
    public void Conflict() => _completion.TrySetResult(false);

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    protected override void Cancel(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}

/// <summary>Audit entries that go with no record change.</summary>
internal sealed class RedisAuditWrite(IReadOnlyList<AuditEvent> audit, long[] auditAtMs, CancellationToken cancellationToken)
    : RedisWrite(audit, auditAtMs, cancellationToken)
{
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<bool> Task => _completion.Task;

    protected override string Kind => "A";

    protected override string Condition => string.Empty;

    protected override string Member => string.Empty;

    public override void Applied() => _completion.TrySetResult(true);

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    protected override void Cancel(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}
