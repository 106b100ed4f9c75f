using System.Globalization;
using System.Threading.Channels;
using GateSidecar.Approvals.Stored;
using GateSidecar.Audit;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GateSidecar.Approvals.Redis;

/// <summary>
/// Group commit for Redis: one loop drains the queued writes and sends them in one
/// <see cref="RedisScripts.Apply"/> call. The audit hash needs the previous entry's hash, which
/// another sidecar may have just moved, so the loop appends optimistically: it seals the batch onto
/// the head it last saw; the script checks that head and, if it moved, writes nothing and returns the
/// current head; the loop re-seals and retries (bounded). The writer that lost takes the next turn,
/// so other writers wait for it (a few milliseconds) instead of winning every race while it fails.
/// Callers' tasks complete after the reply, so acknowledged means applied on the server.
/// </summary>
internal sealed class RedisWriter : IAsyncDisposable
{
    private const long UnknownHead = -1;

    private readonly Channel<RedisWrite> _queue =
        Channel.CreateUnbounded<RedisWrite>(new UnboundedChannelOptions { SingleReader = true });

    private readonly RedisConnection _connection;
    private readonly RedisKeys _keys;
    private readonly RedisStoreOptions _options;
    private readonly RedisValue _retentionMs;
    private readonly RedisValue _changeLogLength;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private static readonly TimeSpan TurnWait = TimeSpan.FromMilliseconds(1);

    private long _headSeq = UnknownHead;
    private string _headHash = AuditChain.Genesis;

    private readonly RedisOwnWrites _ownWrites;

    public RedisWriter(RedisConnection connection, RedisKeys keys, RedisStoreOptions options, ILogger logger, RedisOwnWrites ownWrites)
    {
        _ownWrites = ownWrites;
        _connection = connection;
        _keys = keys;
        _options = options;
        _retentionMs = ((long)options.TerminalRetention.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        _changeLogLength = options.ChangeLogLength.ToString(CultureInfo.InvariantCulture);
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public Task<T> Enqueue<T>(RedisWrite write, Task<T> completion)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(RedisApprovalStore), "The redis store is closed.");
        }

        return completion;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<RedisWrite>(_options.MaxBatchSize);
        var leaders = new Dictionary<string, RedisCreateWrite>(StringComparer.Ordinal);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            leaders.Clear();
            while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var write))
            {
                if (!write.TryStart())
                {
                    continue;
                }

                if (write is RedisCreateWrite create)
                {
                    if (leaders.TryGetValue(create.IdempotencyTail, out var leader))
                    {
                        leader.AddFollower(create);
                        continue;
                    }

                    leaders.Add(create.IdempotencyTail, create);
                }

                batch.Add(write);
            }

            if (batch.Count > 0)
            {
                await ApplyAsync(batch).ConfigureAwait(false);
            }
        }
    }

    private async Task ApplyAsync(List<RedisWrite> batch)
    {
        var start = 0;
        var retries = 0;
        var waitedSince = 0L;
        var heads = new (long Seq, string Hash)[batch.Count];
        var keys = new[] { _keys.AuditHead, _keys.AuditTurn };

        // An announcement may arrive before the reply: every write that will be announced offers
        // its record now; the script names this writer in what it publishes (RedisOwnWrites).
        foreach (var write in batch)
        {
            if (write is RedisUpdateWrite or RedisCreateWrite { Announced: true })
            {
                write.Remember(_ownWrites);
            }
        }

        while (start < batch.Count)
        {
            // 1. Seal every remaining write onto the head we believe in.
            var args = new List<RedisValue>(4 + ((batch.Count - start) * 16))
            {
                _keys.Prefix, _headSeq.ToString(CultureInfo.InvariantCulture), _retentionMs, (batch.Count - start).ToString(CultureInfo.InvariantCulture),
            };
            var head = (_headSeq, _headHash);
            for (var i = start; i < batch.Count; i++)
            {
                head = batch[i].SealAndAppend(head.Item1, head.Item2, args);
                heads[i] = head;
            }

            args.Add(_changeLogLength);
            args.Add(_ownWrites.WriterId);

            // 2. One script call applies the writes in order until one cannot apply.
            RedisResult[] reply;
            try
            {
                var result = await _connection.RunAsync(_connection.Database.ScriptEvaluateAsync(RedisScripts.Apply, keys, [.. args]), CancellationToken.None).ConfigureAwait(false);
                reply = (RedisResult[])result;
            }
            catch (Exception ex)
            {
                var error = _connection.Translate(ex);
                RedisStoreLog.BatchFailed(_logger, batch.Count - start, _connection.Endpoint, ex);
                _headSeq = UnknownHead;
                FailRest(batch, start, error);
                return;
            }

            // 3. Complete what was applied, then the write that stopped the script.
            var status = (string)reply[0];
            var applied = (int)(long)reply[1];
            for (var i = start; i < start + applied; i++)
            {
                batch[i].OfferApplied();
                batch[i].Applied();
            }

            if (applied > 0)
            {
                (_headSeq, _headHash) = heads[start + applied - 1];
                start += applied;
            }

            switch (status)
            {
                case "OK":
                    return;
                case "H":
                    _headSeq = long.Parse((string)reply[2]!, CultureInfo.InvariantCulture);
                    _headHash = _headSeq == 0 ? AuditChain.Genesis : (string)reply[3]!;
                    RedisStoreLog.ChainMoved(_logger, _headSeq, batch.Count - start);
                    if (++retries > _options.MaxChainRetries)
                    {
                        FailRest(batch, start, new StoreUnavailableException(
                            $"redis at {_connection.Endpoint}: the audit chain head kept moving under {retries} attempts to append; too many sidecars are writing at once, retry the call."));
                        return;
                    }

                    break;
                case "T":
                    // Another writer lost a race and holds the next turn: let it append, then re-seal.
                    _headSeq = long.Parse((string)reply[2]!, CultureInfo.InvariantCulture);
                    _headHash = _headSeq == 0 ? AuditChain.Genesis : (string)reply[3]!;
                    if (waitedSince == 0)
                    {
                        waitedSince = Environment.TickCount64;
                    }
                    else if (Environment.TickCount64 - waitedSince > _options.OperationTimeout.TotalMilliseconds)
                    {
                        FailRest(batch, start, new StoreUnavailableException(
                            $"redis at {_connection.Endpoint}: other sidecars kept the audit chain busy for {_options.OperationTimeout.TotalSeconds:0} s; retry the call."));
                        return;
                    }

                    await Task.Delay(TurnWait).ConfigureAwait(false);
                    break;
                case "E":
                    batch[start].Unremember(_ownWrites);
                    ((RedisCreateWrite)batch[start]).Existing(StoredApproval.Parser.ParseFrom((byte[])reply[2]!));
                    start++;
                    break;
                case "X":
                    batch[start].Unremember(_ownWrites);
                    ((RedisUpdateWrite)batch[start]).Conflict();
                    start++;
                    break;
                case "D":
                    batch[start].Unremember(_ownWrites);
                    batch[start].Fail(new InvalidOperationException(
                        $"approval id '{batch[start].Id}' already belongs to another record: approval ids must be unique."));
                    start++;
                    break;
                default:
                    FailRest(batch, start, new InvalidOperationException($"the apply script answered '{status}'."));
                    return;
            }
        }
    }

    private void FailRest(List<RedisWrite> batch, int start, Exception error)
    {
        for (var i = start; i < batch.Count; i++)
        {
            batch[i].Unremember(_ownWrites);
            batch[i].Fail(error);
        }
    }
}
