using Gate.V1;
using GateSidecar.Approvals.Stored;
using GateSidecar.Audit;

namespace GateSidecar.Approvals;

/// <summary>
/// Persistence for approvals and the audit trail. A store only persists: it never decides a
/// transition (that is <see cref="ApprovalStateMachine"/>'s job). Every write is atomic with its
/// audit entries and its index updates, and is published to every subscriber (in this process and,
/// for shared stores, in every other sidecar) after it is durable.
/// </summary>
/// <remarks>
/// A record given to <see cref="CreateAsync"/> or <see cref="TryUpdateAsync"/> is the caller's last
/// word on it: the store may hand that very object to the change's listeners
/// (<see cref="ApprovalChange.CommittedRecord"/>) and the caller keeps it for its own answer and
/// the decision that follows (<see cref="HeldRecords"/>), all of them only reading it. A transition
/// starts from a copy (<see cref="ApprovalStateMachine"/>), never changing the record it was given.
/// Failures to reach the backing server surface as <see cref="StoreUnavailableException"/>.
/// Both implementations pass the contract suite in tests/GateSidecar.Tests/Approvals/StoreContract.
/// </remarks>
internal interface IApprovalStore : IAsyncDisposable
{
    /// <summary>"sqlite" or "redis".</summary>
    string Name { get; }

    /// <summary>Creates schema / loads scripts. Called once at start-up.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Inserts <paramref name="record"/> unless a record already exists for its
    /// (request.agent.tenant, request.call_id); in that case nothing is written and the existing
    /// record is returned. The audit entries are appended only when the record is inserted.
    /// </summary>
    ValueTask<CreateResult> CreateAsync(StoredApproval record, IReadOnlyList<AuditEvent> audit, CancellationToken cancellationToken);

    ValueTask<StoredApproval?> GetAsync(string approvalId, CancellationToken cancellationToken);

    /// <summary>
    /// Compare-and-set: writes <paramref name="record"/> only if the stored record's
    /// <c>approval.seq</c> equals <paramref name="expectedSeq"/> (the caller has already set the new
    /// seq, normally expectedSeq + 1). Updates the pool and deadline indexes (a record that is no
    /// longer PENDING/ESCALATED leaves both), appends the audit entries (seq, prev_hash and hash assigned by the store through <see cref="Audit.AuditChain.Seal"/>), publishes the change.
    /// Returns false, writing nothing, on a version conflict.
    /// </summary>
    ValueTask<bool> TryUpdateAsync(StoredApproval record, long expectedSeq, IReadOnlyList<AuditEvent> audit, CancellationToken cancellationToken);

    /// <summary>PENDING and ESCALATED approvals whose current pool is one of <paramref name="pools"/>, oldest first, paged.</summary>
    ValueTask<PendingPage> ListPendingAsync(IReadOnlyCollection<string> pools, string? pageToken, int pageSize, CancellationToken cancellationToken);

    /// <summary>
    /// Pending approvals whose deadline is at or before <paramref name="now"/>, earliest first, each
    /// with its record (read with the listing, so a timeout needs no read of its own) except those in
    /// <paramref name="known"/>: the deadline scheduler's timeouts already under way.
    /// </summary>
    ValueTask<IReadOnlyList<DueApproval>> GetDueAsync(DateTimeOffset now, int max, IReadOnlySet<string>? known, CancellationToken cancellationToken);

    /// <summary>
    /// The earliest pending deadline later than <paramref name="after"/>, or null; lets the deadline
    /// scheduler sleep precisely while the deadlines already due are being applied
    /// (<see cref="DateTimeOffset.MinValue"/>: the earliest of all).
    /// </summary>
    ValueTask<DateTimeOffset?> GetNextDeadlineAsync(DateTimeOffset after, CancellationToken cancellationToken);

    /// <summary>Records that token <paramref name="jti"/> was used. True the first time, false ever after (across sidecars).</summary>
    ValueTask<bool> TryConsumeTokenAsync(string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Audit entries in sequence order, filtered and paged.</summary>
    ValueTask<AuditPage> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Every stored audit entry in stored order (for verification). After pruning the chain starts
    /// after <see cref="GetAuditCheckpointAsync"/>'s <c>ThroughSeq</c>.
    /// </summary>
    IAsyncEnumerable<AuditEvent> ReadAuditAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Appends audit entries that go with no record change (e.g. a refused <c>ReportOutcome</c>):
    /// sealed onto the chain like every other append (seq, prev_hash, hash assigned by the store);
    /// nothing is published to subscribers. An empty approval id or time stays as given / becomes now.
    /// </summary>
    ValueTask AppendAuditAsync(IReadOnlyList<AuditEvent> entries, CancellationToken cancellationToken);

    /// <summary>The signed checkpoint left by the last audit pruning, or null while the chain starts at the genesis hash.</summary>
    ValueTask<AuditCheckpoint?> GetAuditCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Removes the head of the audit chain, compare-and-set on the checkpoint: only if the stored
    /// checkpoint's <c>ThroughSeq</c> is <paramref name="expectedThroughSeq"/> (0 for none), the entry at
    /// <c>next.ThroughSeq</c> is stored exactly as in <paramref name="pruned"/>, and a later entry exists
    /// (the newest entry is never removed, so the chain head survives), deletes every entry up to
    /// <c>next.ThroughSeq</c> and stores <paramref name="next"/> in place of the old checkpoint.
    /// <paramref name="pruned"/> are the entries being removed, in seq order, as read. Returns false,
    /// changing nothing, when any condition fails. Deciding what to prune (and checking that it still
    /// verifies) is <see cref="AuditRetention"/>'s job.
    /// </summary>
    ValueTask<bool> TryPruneAuditAsync(long expectedThroughSeq, AuditCheckpoint next, IReadOnlyList<AuditEvent> pruned, CancellationToken cancellationToken);

    /// <summary>
    /// Subscribes to every committed change, except the creation of a record that is not pending
    /// (an auto-pass ALLOWED or a DENIED call): nothing waits on such a record, and announcing the
    /// bulk of the traffic to every listener of every sidecar only costs. Its later changes (a
    /// reported execution) are announced. The callback must not block. A store that finds it
    /// could not deliver some changes says so with <see cref="ApprovalChange.Resync"/>.
    /// </summary>
    IDisposable Subscribe(Action<ApprovalChange> onChange);

    /// <summary>
    /// True when the backing store answers; false when it does not. A store that answers but can
    /// no longer be used as it is throws <see cref="StoreUnavailableException"/> saying why.
    /// </summary>
    ValueTask<bool> PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Retention of records: deletes approvals that are no longer PENDING/ESCALATED and were last
    /// written before <paramref name="olderThan"/>, and used token ids whose retention has passed.
    /// Audit entries are never deleted here (audit retention is separate). Returns the number of
    /// approvals deleted. Stores that expire terminal records by themselves (Redis, through a TTL
    /// set at the transition) return 0.
    /// </summary>
    ValueTask<int> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);
}

/// <summary>The outcome of <see cref="IApprovalStore.CreateAsync"/>.</summary>
internal readonly record struct CreateResult(bool Created, StoredApproval Record);

/// <summary>
/// A committed change: enough to know whether a listener cares. <paramref name="Data"/>, when the
/// store has it (a write committed by this process), is the committed record exactly as a read
/// would return it, so a listener can skip the re-read; without it (a change announced by another
/// sidecar, or a Redis update whose announcement came before the script's reply) the listener
/// re-reads. <paramref name="DeadlineUnixMs"/> comes with <paramref name="Data"/>, and on Redis with
/// every change announced on the channel, another sidecar's too: the deadline the store indexes
/// for the committed state (0: none, as for a closed approval), or null when the change does not
/// say. The deadline scheduler sleeps through a change whose deadline is not earlier
/// than its planned wake and re-plans on any other.
/// </summary>
internal sealed record ApprovalChange(string ApprovalId, long Seq, ApprovalState State, string Pool, byte[]? Data = null, long? DeadlineUnixMs = null)
{
    private StoredApproval? _committed;

    /// <summary>A copy for <c>with</c>: the same change fields, the parsed record not carried over (its data may differ).</summary>
    private ApprovalChange(ApprovalChange original)
    {
        ApprovalId = original.ApprovalId;
        Seq = original.Seq;
        State = original.State;
        Pool = original.Pool;
        Data = original.Data;
        DeadlineUnixMs = original.DeadlineUnixMs;
    }

    /// <summary>
    /// Not a change of one approval: the store could not deliver every change committed before
    /// this point (a Redis subscription gap longer than the change log). A listener that shows
    /// open approvals reads them again from the store (<see cref="IsResync"/>). Every other listener
    /// can ignore it: it names no approval and no pool, and its state is not open.
    /// </summary>
    public static readonly ApprovalChange Resync = new(string.Empty, 0, ApprovalState.Unspecified, string.Empty);

    /// <summary>Whether this is <see cref="Resync"/>.</summary>
    public bool IsResync => ApprovalId.Length == 0;

    /// <summary>
    /// What <see cref="Committed"/> gives without parsing <see cref="Data"/>: the record the writer
    /// encoded into it (its own object, which nobody changes after the write). Not carried by
    /// <c>with</c>.
    /// </summary>
    public StoredApproval? CommittedRecord
    {
        init => _committed = value;
    }

    /// <summary>
    /// The committed record, or null when the change does not carry it: the writer's own record
    /// (<see cref="CommittedRecord"/>) or, without it, parsed once on first use. Shared by every
    /// listener of this change (the Guard stream and each approver stream of the approval): read
    /// it, never change it.
    /// </summary>
    public StoredApproval? Committed()
    {
        if (Data is null)
        {
            return null;
        }

        var parsed = Volatile.Read(ref _committed);
        if (parsed is null)
        {
            parsed = StoredApproval.Parser.ParseFrom(Data);
            parsed = Interlocked.CompareExchange(ref _committed, parsed, null) ?? parsed;
        }

        return parsed;
    }

    /// <summary>Equal when the change fields are (the data compared by reference, as the array it is); the parsed record does not count.</summary>
    public bool Equals(ApprovalChange? other) =>
        other is not null
        && ApprovalId == other.ApprovalId
        && Seq == other.Seq
        && State == other.State
        && Pool == other.Pool
        && ReferenceEquals(Data, other.Data)
        && DeadlineUnixMs == other.DeadlineUnixMs;

    public override int GetHashCode() => HashCode.Combine(ApprovalId, Seq, State, Pool, Data, DeadlineUnixMs);
}

internal sealed record PendingPage(IReadOnlyList<StoredApproval> Items, string? NextPageToken);

internal sealed record AuditQuery(string? ApprovalId, DateTimeOffset? Since, DateTimeOffset? Until, int PageSize, string? PageToken);

internal sealed record AuditPage(IReadOnlyList<AuditEvent> Events, string? NextPageToken);

/// <summary>A due approval: its id, and its record unless the caller said it knows this one (null then).</summary>
internal readonly record struct DueApproval(string Id, StoredApproval? Record);

/// <summary>The backing server cannot be reached; callers answer UNAVAILABLE (fail closed).</summary>
internal sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The store answers but cannot be used as it is (e.g. a Redis older than the store needs): the
/// sidecar does not start, and the message says what to change. Retrying does not help.
/// </summary>
internal sealed class StoreRefusedException(string message) : Exception(message);
