using System.Collections.Concurrent;
using Gate.Client;
using Gate.LoadTests.Infrastructure;
using Gate.LoadTests.Measurement;
using Gate.V1;

namespace Gate.LoadTests.Scenarios;

/// <summary>
/// Approvers as a program: one <c>Approvals.StreamPending</c> per sidecar (each as a pool member,
/// bearer token), and for every approval that appears, after a think time, as many
/// <c>Decide(APPROVE)</c> calls as its quorum needs, each by a different approver on a sidecar
/// picked at random. Every approval is decided once per approver, whichever stream saw it first.
/// </summary>
internal sealed class ApproverBot : IAsyncDisposable
{
    private readonly IReadOnlyList<Sidecar> _sidecars;
    private readonly string[] _approvers;
    private readonly string _pool;
    private readonly Func<TimeSpan> _think;
    private readonly TimeSpan _streamDelay;
    private readonly ConcurrentDictionary<string, BotDecision> _decisions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _streams = [];
    private readonly List<Task> _work = [];
    private readonly StatusCounts _decideStatuses = new();
    private readonly long[] _decidedOn;
    private long _streamFailures;
    private string? _firstStreamFailure;

    public ApproverBot(IReadOnlyList<Sidecar> sidecars, string[] approvers, string pool, Func<TimeSpan> think, TimeSpan streamDelay = default)
    {
        _streamDelay = streamDelay;
        _sidecars = sidecars;
        _approvers = approvers;
        _pool = pool;
        _think = think;
        _decidedOn = new long[sidecars.Count];
    }

    /// <summary>Decide RPCs by outcome.</summary>
    public StatusCounts DecideStatuses => _decideStatuses;

    /// <summary>Decide round trips (send to answer) of the Decide calls sent from <see cref="MeasureFromNs"/> on.</summary>
    public LatencyHistogram DecideLatency { get; } = new();

    /// <summary>
    /// Monotonic time from which Decide round trips count in <see cref="DecideLatency"/> (the start of
    /// the scenario's measured window; 0, the default, counts every one). Outcomes count whenever
    /// they happen.
    /// </summary>
    public long MeasureFromNs { get; set; }

    /// <summary>Approvals seen on a stream.</summary>
    public int Seen => _decisions.Count;

    public long StreamFailures => Interlocked.Read(ref _streamFailures);

    public string? FirstStreamFailure => _firstStreamFailure;

    /// <summary>Decide calls answered OK, per sidecar (in the order of the deployment).</summary>
    public long DecidedOn(int sidecar) => Interlocked.Read(ref _decidedOn[sidecar]);

    /// <summary>What the bot did for an approval, or null if it never saw it.</summary>
    public BotDecision? Find(string approvalId) => _decisions.TryGetValue(approvalId, out var d) ? d : null;

    private static readonly TimeSpan ProbeRoundWait = TimeSpan.FromSeconds(2);

    /// <summary>Probe approvals created to prove the streams live (each is decided like any other).</summary>
    public int ProbesCreated { get; private set; }

    /// <summary>
    /// Opens the streams and proves them live: a probe call is created on each sidecar and must be
    /// seen on every stream before the load starts. StreamPending only carries changes from the
    /// moment the sidecar has the stream, and nothing tells the client when that is, so a round of
    /// probes created before a stream was there is never seen on it: a new round follows every
    /// <see cref="ProbeRoundWait"/>. Probes no stream saw are then decided here, so none is left
    /// pending.
    /// </summary>
    public async Task StartAsync(Func<long, CheckRequest> probe, TimeSpan timeout)
    {
        for (var i = 0; i < _sidecars.Count; i++)
        {
            var sidecar = _sidecars[i];
            var client = sidecar.As(_approvers[i % _approvers.Length]);
            _streams.Add(Task.Run(() => ReadStreamAsync(sidecar, client)));
        }

        using var deadline = new CancellationTokenSource(timeout);
        var created = new List<(string Id, Sidecar Sidecar)>();
        List<string> round;
        do
        {
            round = [];
            foreach (var sidecar in _sidecars)
            {
                var response = await sidecar.Gate.CheckAsync(probe(-1 - ProbesCreated), new CallOptions { Timeout = timeout }).ConfigureAwait(false);
                ProbesCreated++;
                round.Add(response.ApprovalId);
                created.Add((response.ApprovalId, sidecar));
            }

            var roundEnds = DateTime.UtcNow + ProbeRoundWait;
            while (!SeenOnEveryStream(round) && DateTime.UtcNow < roundEnds)
            {
                if (deadline.IsCancellationRequested)
                {
                    throw new InvalidOperationException($"the approver streams did not deliver the probe approvals within {timeout.TotalSeconds:0} s ({ProbesCreated} probes; {StreamFailures} stream failures: {FirstStreamFailure})");
                }

                await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
            }
        }
        while (!SeenOnEveryStream(round));

        foreach (var (id, sidecar) in created)
        {
            if (_decisions.ContainsKey(id))
            {
                continue;
            }

            var approval = await sidecar.Gate.GetApprovalAsync(new GetApprovalRequest { ApprovalId = id }, new CallOptions { Timeout = timeout }).ConfigureAwait(false);
            Take(approval, "probe clean-up");
        }
    }

    /// <summary>Waits for every decision started so far, then closes the streams.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        Task[] work;
        lock (_work)
        {
            work = [.. _work];
        }

        try
        {
            await Task.WhenAll(work).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_streams).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task ReadStreamAsync(Sidecar sidecar, ApprovalsClient client)
    {
        try
        {
            if (_streamDelay > TimeSpan.Zero)
            {
                await Task.Delay(_streamDelay, _stop.Token).ConfigureAwait(false);
            }

            var options = new CallOptions { CancellationToken = _stop.Token };
            await foreach (var evt in client.StreamPending(new StreamPendingRequest { Pool = _pool }, options).ConfigureAwait(false))
            {
                var now = MonotonicClock.NowNs();
                if (evt.State is not (ApprovalState.Pending or ApprovalState.Escalated))
                {
                    continue;
                }

                Take(evt.Approval, sidecar.Name, now).MarkSeen(sidecar.Name);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException { Status: StatusCode.Cancelled } && _stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            if (Interlocked.Increment(ref _streamFailures) == 1)
            {
                _firstStreamFailure = $"StreamPending on sidecar {sidecar.Name}: {ex.Message}";
            }
        }
    }

    private bool SeenOnEveryStream(List<string> probes) =>
        probes.TrueForAll(p => _decisions.TryGetValue(p, out var d) && d.StreamsSeen >= _sidecars.Count);

    /// <summary>The bot's record of an approval seen via <paramref name="via"/>; its decisions start the first time.</summary>
    private BotDecision Take(Approval approval, string via, long? seenNs = null)
    {
        var decision = _decisions.GetOrAdd(approval.ApprovalId, static (id, state) => new BotDecision(state.now, state.via, id, state.approval.Quorum), (now: seenNs ?? MonotonicClock.NowNs(), via, approval));
        if (decision.TryStart())
        {
            lock (_work)
            {
                _work.Add(DecideAsync(decision));
            }
        }

        return decision;
    }

    private async Task DecideAsync(BotDecision decision)
    {
        var quorum = Math.Max(1, decision.Quorum);
        var order = _approvers.OrderBy(_ => Random.Shared.Next()).Take(quorum).ToArray();
        if (order.Length < quorum)
        {
            decision.Fail($"quorum {quorum} needs more approvers than the bot has ({_approvers.Length})");
            return;
        }

        foreach (var approver in order)
        {
            await Task.Delay(_think(), CancellationToken.None).ConfigureAwait(false);
            var index = Random.Shared.Next(_sidecars.Count);
            var sidecar = _sidecars[index];
            var sent = MonotonicClock.NowNs();
            decision.OnDecideSent(sent, sidecar.Name);
            try
            {
                await sidecar.As(approver, Random.Shared.Next(4)).DecideAsync(
                    new DecideRequest { ApprovalId = decision.ApprovalId, Verdict = DecisionVerdict.Approve, Reason = "load test bot" },
                    CallOptions.WithTimeout(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
                var done = MonotonicClock.NowNs();
                if (sent >= MeasureFromNs)
                {
                    DecideLatency.Record(done - sent);
                }

                _decideStatuses.Record(StatusCode.OK);
                Interlocked.Increment(ref _decidedOn[index]);
                decision.OnDecided();
            }
            catch (RpcException ex)
            {
                _decideStatuses.RecordError(ex.Status, ex.Detail);
                decision.Fail($"Decide by {approver} on sidecar {sidecar.Name}: {ex.Message}");
                return;
            }
        }
    }
}

/// <summary>
/// The bot's record of one approval: when it was seen, when each decision went out, by whom. It
/// keeps the approval's id and quorum, not the message: every record stays until the run ends (a
/// stream may deliver the approval again), and a run's worth of whole approvals held that long
/// would be the driver's largest live set, copied by its collections and counted in the measured
/// overhead.
/// </summary>
internal sealed class BotDecision(long firstSeenNs, string firstSeenVia, string approvalId, int quorum)
{
    private readonly HashSet<string> _seenVia = new(StringComparer.Ordinal);
    private int _started;
    private long _lastDoneNs;

    public long FirstSeenNs { get; } = firstSeenNs;

    public string FirstSeenVia { get; } = firstSeenVia;

    public string ApprovalId { get; } = approvalId;

    /// <summary>Decisions the approval needs (its quorum as the stream first showed it).</summary>
    public int Quorum { get; } = quorum;

    /// <summary>When the last Decide was sent (monotonic ns); 0 before any.</summary>
    public long LastDecideSentNs { get; private set; }

    /// <summary>The sidecar the last Decide went to.</summary>
    public string? LastDecidedVia { get; private set; }

    /// <summary>Think time actually spent: from first seen to the last Decide sent, minus the Decide round trips before it.</summary>
    public long ThinkNs { get; private set; }

    public int Decisions { get; private set; }

    public string? Failure { get; private set; }

    public int StreamsSeen
    {
        get
        {
            lock (_seenVia)
            {
                return _seenVia.Count;
            }
        }
    }

    /// <summary>Records that a stream delivered it; true the first time for that stream.</summary>
    public bool MarkSeen(string sidecar)
    {
        lock (_seenVia)
        {
            return _seenVia.Add(sidecar);
        }
    }

    public bool TryStart() => Interlocked.Exchange(ref _started, 1) == 0;

    public void OnDecideSent(long sentNs, string sidecar)
    {
        ThinkNs += sentNs - (LastDecideSentNs == 0 ? FirstSeenNs : _lastDoneNs);
        LastDecideSentNs = sentNs;
        LastDecidedVia = sidecar;
    }

    public void OnDecided()
    {
        _lastDoneNs = MonotonicClock.NowNs();
        Decisions++;
    }

    public void Fail(string reason) => Failure ??= reason;
}
