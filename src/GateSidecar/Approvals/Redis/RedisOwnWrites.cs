using System.Security.Cryptography;
using System.Text;
using GateSidecar.Approvals.Stored;

namespace GateSidecar.Approvals.Redis;

/// <summary>
/// The records this process is writing or wrote, by (approval id, seq), so that the announcement of
/// each carries the record and its deadline as the SQLite store's changes do: listeners then skip
/// the re-read and the deadline scheduler sleeps through a deadline later than its planned wake.
/// A write is offered before it is sent. The apply script publishes each change with the id of the
/// writer that applied it (<see cref="WriterId"/>), so an announcement that names this writer is
/// this process's write, applied, whether or not the script's reply has arrived yet. A change that
/// names no writer (read from the change log after a lost subscription) is matched only once the
/// reply said the write applied; the compare-and-set makes (id, seq) name one record.
/// Each offer is taken by the first change of its (id, seq), or withdrawn when its write did not
/// apply (or may not have). Bounded: beyond <see cref="Capacity"/> the oldest offers are forgotten
/// (their changes are then re-read).
/// </summary>
internal sealed class RedisOwnWrites
{
    public const int Capacity = 8192;

    private readonly RecentMap<(string Id, long Seq), Offer> _offers = new(Capacity);
    private readonly byte[] _writerIdBytes;
    private long _attached;
    private long _missed;

    public RedisOwnWrites()
        : this("w" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)))
    {
    }

    public RedisOwnWrites(string writerId)
    {
        if (string.IsNullOrEmpty(writerId) || char.IsAsciiDigit(writerId[0]) || writerId.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("A writer id is a non-empty string that does not start with a digit and has no ':'.", nameof(writerId));
        }

        WriterId = writerId;
        _writerIdBytes = Encoding.UTF8.GetBytes(writerId);
    }

    /// <summary>This process's writer: the apply script names it in every change it publishes and in the append turn it takes.</summary>
    public string WriterId { get; }

    /// <summary>Announcements that carried this process's record / that went out without one.</summary>
    public (long Attached, long Missed) Counts => (Interlocked.Read(ref _attached), Interlocked.Read(ref _missed));

    /// <summary>Whether a published change names this writer.</summary>
    public bool IsThisWriter(ReadOnlySpan<byte> writer) => writer.SequenceEqual(_writerIdBytes);

    /// <summary>
    /// Offers a write's record before it is sent; null when another write of this process already
    /// offers the same (id, seq) (only one of them can apply).
    /// </summary>
    public Offer? Add(string approvalId, long seq, byte[] data, long deadlineMs, StoredApproval? record = null)
    {
        var offer = new Offer(data, deadlineMs, record);
        return _offers.TryAdd((approvalId, seq), offer) ? offer : null;
    }

    /// <summary>The write did not apply, or may not have: its offer is withdrawn (only its own).</summary>
    public void Forget(string approvalId, long seq, Offer offer) =>
        _offers.TryRemove((approvalId, seq), offer);

    /// <summary>
    /// The change with this process's record and deadline when it is this process's write;
    /// otherwise unchanged. <paramref name="fromThisWriter"/>: the published change named this writer.
    /// </summary>
    public ApprovalChange Fill(ApprovalChange change, bool fromThisWriter)
    {
        if (change.Data is not null)
        {
            return change;
        }

        // The first change of an (id, seq) takes its offer either way: when it is not known to be
        // this write, it is another writer's (this write will not apply) or it came from the log.
        if (!_offers.TryRemove((change.ApprovalId, change.Seq), out var own) || !(fromThisWriter || own.Applied))
        {
            Interlocked.Increment(ref _missed);
            return change;
        }

        Interlocked.Increment(ref _attached);
        return change with { Data = own.Data, DeadlineUnixMs = StoreConventions.IndexedDeadlineMs(change.State, own.DeadlineMs), CommittedRecord = own.Record };
    }

    /// <summary>
    /// One offered record: its encoding, its deadline and the writer's own object (handed to the
    /// listeners so that none parses it; null when not given); <see cref="Applied"/> once the
    /// script's reply said its write applied.
    /// </summary>
    internal sealed class Offer(byte[] data, long deadlineMs, StoredApproval? record)
    {
        private volatile bool _applied;

        public byte[] Data { get; } = data;

        public long DeadlineMs { get; } = deadlineMs;

        public StoredApproval? Record { get; } = record;

        public bool Applied => _applied;

        public void MarkApplied() => _applied = true;
    }
}
