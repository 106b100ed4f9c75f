using Gate.V1;
using GateSidecar.Approvals.Redis;
using GateSidecar.Approvals;
using GateSidecar.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit;
using static GateSidecar.Tests.Approvals.StoreContract.StoreRecords;

namespace GateSidecar.Tests.Approvals.StoreContract;

/// <summary>
/// What only the shared store does: changes across sidecars, subscriptions that survive a Redis
/// restart, starting while Redis is down, retention by TTL, hash-tagged keys.
/// </summary>
public sealed class RedisApprovalStoreTests : StoreTestBase
{
    private const string Prefix = "gate";
    private RedisServer? _server;
    private TimeSpan _retention = TimeSpan.FromDays(7);

    private RedisServer Server => _server ?? throw new InvalidOperationException("The redis server is not started.");

    public override async ValueTask InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private protected override IApprovalStore NewStore() => new RedisApprovalStore(
        new RedisStoreOptions { Configuration = Server.Endpoint, KeyPrefix = Prefix, TerminalRetention = _retention },
        Clock,
        new TestOutputLogger<RedisApprovalStore>());

    [Fact]
    public async Task Changes_WrittenThroughEitherSidecar_ReachBothExactlyOnce()
    {
        var other = await OpenAsync();
        using var here = new ChangeRecorder(Store);
        using var there = new ChangeRecorder(other);
        var mine = Pending(Clock.Now);
        var theirs = Pending(Clock.Now);

        await Store.CreateAsync(mine, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await other.CreateAsync(theirs, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.True(await other.TryUpdateAsync(Next(mine, ApprovalState.Approved), 1, [], Ct).AsTask().WaitAsync(Timeout, Ct));
        var sentinel = Pending(Clock.Now);
        await Store.CreateAsync(sentinel, [], Ct).AsTask().WaitAsync(Timeout, Ct);

        foreach (var recorder in new[] { here, there })
        {
            Assert.Equal(ApprovalState.Approved, (await recorder.WaitForAsync(mine.Approval.ApprovalId, 2, Timeout)).State);
            await recorder.WaitForAsync(theirs.Approval.ApprovalId, 1, Timeout);
            await recorder.WaitForAsync(sentinel.Approval.ApprovalId, 1, Timeout);
            Assert.Equal(2, recorder.Count(mine.Approval.ApprovalId));
            Assert.Equal(1, recorder.Count(theirs.Approval.ApprovalId));
        }
    }

    [Fact]
    public async Task Changes_PublishedInTheEarlierFormWithoutWriterOrDeadline_AreStillDelivered()
    {
        using var recorder = new ChangeRecorder(Store);
        var first = Pending(Clock.Now);
        await Store.CreateAsync(first, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await recorder.WaitForAsync(first.Approval.ApprovalId, 1, Timeout);

        // As a sidecar of an earlier build publishes a change: "<entry id>:<change>", no writer id
        // and no deadline; its entry id after every one delivered so far.
        using var earlier = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint).WaitAsync(Timeout, Ct);
        var entry = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds() + "-0";
        var id = "ap_from_an_earlier_build";
        var channel = new RedisChannel("{gate}:changes", RedisChannel.PatternMode.Literal);
        await earlier.GetSubscriber().PublishAsync(channel, $"{entry}:3:{(int)ApprovalState.Approved}:{id.Length}:{id}desk").WaitAsync(Timeout, Ct);

        Assert.Equal(new ApprovalChange(id, 3, ApprovalState.Approved, "desk"), await recorder.WaitForAsync(id, 3, Timeout));
    }

    [Fact]
    public async Task Changes_CarryTheRecordOnlyInTheSidecarThatWroteIt()
    {
        var other = await OpenAsync();
        using var here = new ChangeRecorder(Store);
        using var there = new ChangeRecorder(other);
        var deadline = Clock.Now.AddMinutes(5).ToUnixTimeMilliseconds();
        var mine = Pending(Clock.Now, deadlineMs: deadline);
        var theirs = Pending(Clock.Now, deadlineMs: deadline);
        await Store.CreateAsync(mine, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await other.CreateAsync(theirs, [], Ct).AsTask().WaitAsync(Timeout, Ct);

        // A pending creation is offered before it is sent: its announcement always carries it, here.
        var mineHere = await here.WaitForAsync(mine.Approval.ApprovalId, 1, Timeout);
        var theirsThere = await there.WaitForAsync(theirs.Approval.ApprovalId, 1, Timeout);
        Assert.Equal((mine, (long?)deadline), (mineHere.Committed(), mineHere.DeadlineUnixMs));
        Assert.Equal((theirs, (long?)deadline), (theirsThere.Committed(), theirsThere.DeadlineUnixMs));

        // The other sidecar learns of it without the record (it reads it) but with its deadline, which
        // its scheduler sleeps through when it is later than its planned wake.
        var mineThere = await there.WaitForAsync(mine.Approval.ApprovalId, 1, Timeout);
        var theirsHere = await here.WaitForAsync(theirs.Approval.ApprovalId, 1, Timeout);
        Assert.Equal((null, (long?)deadline), (mineThere.Data, mineThere.DeadlineUnixMs));
        Assert.Equal((null, (long?)deadline), (theirsHere.Data, theirsHere.DeadlineUnixMs));

        // Both sidecars decide the same approval at seq 1: the loser's record is never announced.
        var approvedThere = Next(mine, ApprovalState.Approved);
        var rejectedHere = Next(mine, ApprovalState.Rejected);
        var results = await Task.WhenAll(
            other.TryUpdateAsync(approvedThere, 1, [], Ct).AsTask(),
            Store.TryUpdateAsync(rejectedHere, 1, [], Ct).AsTask()).WaitAsync(Timeout, Ct);
        Assert.Single(results, won => won);
        var winner = results[0] ? approvedThere : rejectedHere;
        var (winnerSide, loserSide) = results[0] ? (there, here) : (here, there);
        var decidedByWinner = await winnerSide.WaitForAsync(mine.Approval.ApprovalId, 2, Timeout);
        Assert.Equal((winner, (long?)0), (decidedByWinner.Committed(), decidedByWinner.DeadlineUnixMs));
        var seenByLoser = await loserSide.WaitForAsync(mine.Approval.ApprovalId, 2, Timeout);
        Assert.Equal((winner.Approval.State, null, (long?)0), (seenByLoser.State, seenByLoser.Data, seenByLoser.DeadlineUnixMs));
    }

    [Fact]
    public async Task Changes_AfterRedisRestart_AreStillDeliveredToExistingSubscribers()
    {
        var other = await OpenAsync();
        using var there = new ChangeRecorder(other);

        await Server.KillAsync();
        await Server.StartAgainAsync();

        // The first write that succeeds may come before the subscription is live again: its change
        // is then read back from the change log (kept in the AOF across the restart).
        var record = Pending(Clock.Now);
        await ApprovalStoreDurabilityContractTests.EventuallyAsync(() => Store.CreateAsync(record, [], Ct).AsTask());
        await there.WaitForAsync(record.Approval.ApprovalId, 1, Timeout);
    }

    /// <summary>
    /// For a store that started while Redis was down: its changes begin once it is first
    /// subscribed, so a write that lands just before is not announced to it; write until one is.
    /// </summary>
    private async Task DeliveredEventuallyAsync(IApprovalStore writer, ChangeRecorder recorder)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var record = Pending(Clock.Now);
            await ApprovalStoreDurabilityContractTests.EventuallyAsync(() => writer.CreateAsync(record, [], Ct).AsTask());
            try
            {
                await recorder.WaitForAsync(record.Approval.ApprovalId, 1, TimeSpan.FromMilliseconds(500));
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    [Fact]
    public async Task Changes_CommittedWhileSubscriptionWasDown_AreDeliveredOnceInOrderFromTheChangeLog()
    {
        // This sidecar reaches Redis through a relay that holds its subscription connection back
        // 1.5 s whenever it (re)connects; the other writes while that connection is down.
        await using var proxy = new RedisRelay(Server.Port, holdSubscriptions: TimeSpan.FromSeconds(1.5));
        var store = await OpenOnAsync(proxy.Endpoint, Prefix);
        using var recorder = new ChangeRecorder(store);
        var before = Pending(Clock.Now);
        await Store.CreateAsync(before, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await recorder.WaitForAsync(before.Approval.ApprovalId, 1, Timeout);

        Assert.StartsWith(":", await Server.CommandAsync("CLIENT", "KILL", "TYPE", "pubsub"));
        var during = Enumerable.Range(0, 5).Select(_ => Pending(Clock.Now)).ToList();
        foreach (var record in during)
        {
            await ApprovalStoreDurabilityContractTests.EventuallyAsync(() => Store.CreateAsync(record, [], Ct).AsTask());
        }

        Assert.True(await Store.TryUpdateAsync(Next(during[0], ApprovalState.Approved), 1, [], Ct).AsTask().WaitAsync(Timeout, Ct));
        var deliveredDuringGap = recorder.Count(during[^1].Approval.ApprovalId);

        foreach (var record in during)
        {
            await recorder.WaitForAsync(record.Approval.ApprovalId, 1, Timeout);
        }

        await recorder.WaitForAsync(during[0].Approval.ApprovalId, 2, Timeout);
        var sentinel = Pending(Clock.Now);
        await Store.CreateAsync(sentinel, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await recorder.WaitForAsync(sentinel.Approval.ApprovalId, 1, Timeout);

        Assert.Equal(0, deliveredDuringGap);
        Assert.True(proxy.Delayed >= 2, $"the relay held back {proxy.Delayed} subscription connection(s); the reconnection was not delayed.");
        var order = recorder.Changes.Select(c => (c.ApprovalId, c.Seq)).ToList();
        Assert.Equal(order.Distinct().Count(), order.Count);
        var expected = new[] { (before.Approval.ApprovalId, 1L) }
            .Concat(during.Select(r => (r.Approval.ApprovalId, 1L)))
            .Append((during[0].Approval.ApprovalId, 2L))
            .Append((sentinel.Approval.ApprovalId, 1L));
        Assert.Equal(expected, order);
    }

    [Fact]
    public async Task Changes_LogTrimmedPastTheGap_StillDeliversWhatTheLogHoldsAndWarns()
    {
        await using var proxy = new RedisRelay(Server.Port, holdSubscriptions: TimeSpan.FromSeconds(1.5));
        var log = new TestOutputLogger<RedisApprovalStore>();
        var writer = await OpenOnAsync(Server.Endpoint, "trim", changeLogLength: 1);
        var store = await OpenOnAsync(proxy.Endpoint, "trim", log);
        using var recorder = new ChangeRecorder(store);

        Assert.StartsWith(":", await Server.CommandAsync("CLIENT", "KILL", "TYPE", "pubsub"));
        var during = Enumerable.Range(0, 300).Select(_ => Pending(Clock.Now)).ToList();
        foreach (var record in during)
        {
            await ApprovalStoreDurabilityContractTests.EventuallyAsync(() => writer.CreateAsync(record, [], Ct).AsTask());
        }

        // The log kept only the newest entries (trimming is approximate); the newest arrives.
        await recorder.WaitForAsync(during[^1].Approval.ApprovalId, 1, Timeout);
        var changes = recorder.Changes;
        var delivered = changes.Count(c => !c.IsResync);
        Assert.True(delivered < during.Count, $"{delivered} of {during.Count} changes delivered: the log was not trimmed, the test did not set up what it tests.");
        Assert.Contains(log.Lines, line => line.Contains("no longer reaches back to entry", StringComparison.Ordinal));

        // The subscribers are told, once, after what the log still held and before anything newer.
        var resync = Assert.Single(changes, c => c.IsResync);
        Assert.Equal(ApprovalChange.Resync, resync);
        var sentinel = Pending(Clock.Now);
        await writer.CreateAsync(sentinel, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await recorder.WaitForAsync(sentinel.Approval.ApprovalId, 1, Timeout);
        var order = recorder.Changes.ToList();
        Assert.True(order.FindIndex(c => c.IsResync) < order.FindIndex(c => c.ApprovalId == sentinel.Approval.ApprovalId));
        Assert.Equal(1, order.Count(c => c.IsResync));
    }

    [Fact]
    public async Task Changes_CatchUpFailing_IsLoggedAndRetriedUntilDeliveryResumes()
    {
        var log = new TestOutputLogger<RedisApprovalStore>();
        var store = await OpenOnAsync(Server.Endpoint, Prefix, log);
        using var recorder = new ChangeRecorder(store);

        // A change log of the wrong type makes reading it fail after the subscription drops.
        Assert.Equal("+OK", await Server.CommandAsync("SET", "{" + Prefix + "}:changelog", "not a stream"));
        Assert.StartsWith(":", await Server.CommandAsync("CLIENT", "KILL", "TYPE", "pubsub"));
        var deadline = DateTime.UtcNow + Timeout;
        while (!log.Lines.Any(line => line.Contains("reading the change log", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.Contains(log.Lines, line => line.Contains("reading the change log", StringComparison.Ordinal));
        Assert.Equal(":1", await Server.CommandAsync("DEL", "{" + Prefix + "}:changelog"));
        var record = Pending(Clock.Now);
        await Store.CreateAsync(record, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await recorder.WaitForAsync(record.Approval.ApprovalId, 1, Timeout);
    }

    [Fact]
    public async Task Start_SubscriptionConnectionUpLate_FirstChangeAfterStartIsDelivered()
    {
        // Under load the subscription connection can come up after the command connection; a store
        // that returned from start-up then missed the changes written before it was subscribed.
        await using var proxy = new RedisRelay(Server.Port, holdSubscriptions: TimeSpan.FromSeconds(1.5));
        var store = await OpenOnAsync(proxy.Endpoint, "late");
        using var recorder = new ChangeRecorder(store);
        var record = Pending(Clock.Now);
        await store.CreateAsync(record, [], Ct).AsTask().WaitAsync(Timeout, Ct);

        Assert.True(proxy.Delayed > 0, "the proxy held back no subscription connection; the test did not set up what it tests.");
        await recorder.WaitForAsync(record.Approval.ApprovalId, 1, Timeout);
    }

    /// <summary>Opens a store on <paramref name="endpoint"/> with a 5 s connect timeout (longer than the relay's hold), disposed at the end of the test.</summary>
    private Task<IApprovalStore> OpenOnAsync(string endpoint, string prefix, TestOutputLogger<RedisApprovalStore>? log = null, int changeLogLength = RedisStoreOptions.DefaultChangeLogLength) =>
        OpenAsync(new RedisApprovalStore(
            new RedisStoreOptions { Configuration = endpoint, KeyPrefix = prefix, ChangeLogLength = changeLogLength, ConnectTimeout = TimeSpan.FromSeconds(5) },
            Clock,
            log ?? new TestOutputLogger<RedisApprovalStore>()));

    [Fact]
    public async Task Start_RedisOlderThan7_IsRefusedNamingBothVersions()
    {
        await using var relay = new RedisRelay(Server.Port, reportMajorVersion: 6);
        var store = new RedisApprovalStore(
            new RedisStoreOptions { Configuration = relay.Endpoint, KeyPrefix = Prefix, ConnectTimeout = TimeSpan.FromSeconds(5) },
            Clock,
            new TestOutputLogger<RedisApprovalStore>());
        await using var _ = store;

        var refused = await Assert.ThrowsAsync<StoreRefusedException>(() => store.InitializeAsync(Ct)).WaitAsync(Timeout, Ct);

        Assert.Matches(@"^redis at 127\.0\.0\.1:\d+ is version 6\.\d+\.\d+; the redis store needs 7\.0 or later", refused.Message);
        Assert.Contains("Upgrade Redis or use --store sqlite", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_RedisComesBackOlderThan7_FailsUnavailableAndWritesAreRefusedUntilItIsNewAgain()
    {
        await using var relay = new RedisRelay(Server.Port);
        var store = await OpenOnAsync(relay.Endpoint, Prefix);
        Assert.True(await store.PingAsync(Ct).AsTask().WaitAsync(Timeout, Ct));

        relay.ReportMajorVersion = 6;
        Assert.StartsWith(":", await Server.CommandAsync("CLIENT", "KILL", "TYPE", "normal"));
        var deadline = DateTime.UtcNow + Timeout;
        StoreUnavailableException? refused = null;
        while (refused is null && DateTime.UtcNow < deadline)
        {
            try
            {
                await store.PingAsync(Ct).AsTask().WaitAsync(Timeout, Ct);
                await Task.Delay(50, Ct);
            }
            catch (StoreUnavailableException ex)
            {
                refused = ex;
            }
        }

        Assert.NotNull(refused);
        Assert.Matches(@"^redis at 127\.0\.0\.1:\d+ is version 6\.\d+\.\d+; the redis store needs 7\.0 or later", refused.Message);
        var record = Pending(Clock.Now);
        var write = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.CreateAsync(record, [], Ct).AsTask());
        Assert.Equal(refused.Message, write.Message);
        Assert.Null(await Store.GetAsync(record.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct));

        relay.ReportMajorVersion = null;
        Assert.StartsWith(":", await Server.CommandAsync("CLIENT", "KILL", "TYPE", "normal"));
        var created = await ApprovalStoreDurabilityContractTests.EventuallyAsync(async () =>
        {
            if (!await store.PingAsync(Ct))
            {
                throw new StoreUnavailableException("not reachable yet");
            }

            return await store.CreateAsync(record, [], Ct);
        });
        Assert.True(created.Created);
    }

    [Fact]
    public async Task Start_WhileRedisIsDown_FailsUnavailableThenWorksOnceRedisAnswers()
    {
        await Server.KillAsync();
        var late = await OpenAsync();
        using var recorder = new ChangeRecorder(late);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => late.GetAsync("ap_any", Ct).AsTask()).WaitAsync(Timeout, Ct);
        Assert.False(await late.PingAsync(Ct).AsTask().WaitAsync(Timeout, Ct));

        await Server.StartAgainAsync();
        var record = Pending(Clock.Now);
        var created = await ApprovalStoreDurabilityContractTests.EventuallyAsync(() => late.CreateAsync(record, [], Ct).AsTask());

        Assert.True(created.Created);
        await DeliveredEventuallyAsync(late, recorder);
    }

    [Fact]
    public async Task Retention_TerminalRecord_ExpiresWithItsIdempotencyKeyWhilePendingOnesDoNot()
    {
        var pending = Pending(Clock.Now, tenant: "acme", callId: "toolu_p");
        var done = Pending(Clock.Now, tenant: "acme", callId: "toolu_d");
        await Store.CreateAsync(pending, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.CreateAsync(done, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.True(await Store.TryUpdateAsync(Next(done, ApprovalState.Rejected), 1, [], Ct).AsTask().WaitAsync(Timeout, Ct));

        using var inspector = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint).WaitAsync(Timeout, Ct);
        var db = inspector.GetDatabase();
        await AssertExpiresAfterRetentionAsync(db, "{gate}:a:" + done.Approval.ApprovalId);
        await AssertExpiresAfterRetentionAsync(db, "{gate}:k:4:acme:toolu_d");
        Assert.Null(await db.KeyTimeToLiveAsync("{gate}:a:" + pending.Approval.ApprovalId).WaitAsync(Timeout, Ct));
        Assert.Null(await db.KeyTimeToLiveAsync("{gate}:k:4:acme:toolu_p").WaitAsync(Timeout, Ct));
        Assert.True(await db.KeyExistsAsync("{gate}:a:" + pending.Approval.ApprovalId).WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Retention_RecordTerminalWhenCreated_ExpiresWithItsIdempotencyKey()
    {
        var allowed = Pending(Clock.Now, tenant: "acme", callId: "toolu_auto", state: ApprovalState.Allowed);
        await Store.CreateAsync(allowed, Entries("allowed", Clock.Now, allowed.Approval.ApprovalId), Ct).AsTask().WaitAsync(Timeout, Ct);

        using var inspector = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint).WaitAsync(Timeout, Ct);
        var db = inspector.GetDatabase();
        await AssertExpiresAfterRetentionAsync(db, "{gate}:a:" + allowed.Approval.ApprovalId);
        await AssertExpiresAfterRetentionAsync(db, "{gate}:k:4:acme:toolu_auto");
        var retried = await Store.CreateAsync(Pending(Clock.Now, tenant: "acme", callId: "toolu_auto"), [], Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.False(retried.Created);
        Assert.Equal(allowed, retried.Record);
    }

    [Fact]
    public async Task Apply_LuaErrorInTheMiddleOfABatch_LeavesNoWrittenEntryAheadOfTheChainHead()
    {
        // A record key of the wrong type (tampering) makes the script raise an error in the middle
        // of a batch, after the creations queued before the update of that record were written.
        var tampered = Pending(Clock.Now, callId: "toolu_tampered");
        await Store.CreateAsync(tampered, Entries("created", Clock.Now, tampered.Approval.ApprovalId), Ct).AsTask().WaitAsync(Timeout, Ct);
        using var inspector = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint).WaitAsync(Timeout, Ct);
        var db = inspector.GetDatabase();
        await db.KeyDeleteAsync("{gate}:a:" + tampered.Approval.ApprovalId).WaitAsync(Timeout, Ct);
        await db.StringSetAsync("{gate}:a:" + tampered.Approval.ApprovalId, "not a hash").WaitAsync(Timeout, Ct);

        // Redis busy for half a second: the store's next batch (one creation) waits for it while the
        // rest queue, so the batch after it is: ten creations, the failing update, ten creations.
        var busy = db.ScriptEvaluateAsync(BusyScript, values: [500_000]);
        await Task.Delay(50, Ct);
        var first = Pending(Clock.Now, callId: "toolu_first");
        var writes = new List<Task> { Store.CreateAsync(first, Entries("created", Clock.Now, first.Approval.ApprovalId), Ct).AsTask() };
        await Task.Delay(100, Ct);
        var fresh = Enumerable.Range(0, 20).Select(i => Pending(Clock.Now, callId: "toolu_f" + i)).ToArray();
        foreach (var (record, i) in fresh.Select((r, i) => (r, i)))
        {
            if (i == 10)
            {
                writes.Add(Store.TryUpdateAsync(Next(tampered, ApprovalState.Approved), 1, Entries("approved", Clock.Now, tampered.Approval.ApprovalId), Ct).AsTask());
            }

            writes.Add(Store.CreateAsync(record, Entries("created", Clock.Now, record.Approval.ApprovalId), Ct).AsTask());
        }

        await busy.WaitAsync(Timeout, Ct);
        var failed = 0;
        foreach (var write in writes)
        {
            try
            {
                await write.WaitAsync(Timeout, Ct);
            }
            catch (RedisServerException ex) when (ex.Message.Contains("WRONGTYPE", StringComparison.Ordinal))
            {
                failed++;
            }
        }

        var last = Pending(Clock.Now, callId: "toolu_after_error");
        await Store.CreateAsync(last, Entries("created", Clock.Now, last.Approval.ApprovalId), Ct).AsTask().WaitAsync(Timeout, Ct);

        // The whole second batch is reported failed, though its first ten creations were written;
        // their audit entries must still be in the chain, not overwritten by the next batch.
        Assert.Equal(21, failed);
        var audit = await ReadAllAuditAsync(Store).WaitAsync(Timeout, Ct);
        AssertValidChain(audit);
        var audited = audit.Select(e => e.ApprovalId).ToHashSet(StringComparer.Ordinal);
        var written = new List<string>();
        foreach (var record in fresh.Prepend(first).Append(last))
        {
            if (await Store.GetAsync(record.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct) is not null)
            {
                written.Add(record.Approval.ApprovalId);
            }
        }

        Assert.Equal(12, written.Count);
        Assert.All(written, id => Assert.True(audited.Contains(id), $"approval {id} is stored but its audit entry was overwritten"));
    }

    /// <summary>Keeps Redis busy for ARGV[1] microseconds.</summary>
    private const string BusyScript = """
        local t = redis.call('TIME')
        local start = tonumber(t[1]) * 1000000 + tonumber(t[2])
        repeat
          t = redis.call('TIME')
        until tonumber(t[1]) * 1000000 + tonumber(t[2]) - start >= tonumber(ARGV[1])
        return 1
        """;

    /// <summary>The key has a TTL of the default 7-day retention, give or take the test's own time.</summary>
    private async Task AssertExpiresAfterRetentionAsync(IDatabase db, string key)
    {
        var ttl = await db.KeyTimeToLiveAsync(key).WaitAsync(Timeout, Ct);
        Assert.True(ttl.HasValue, $"{key} has no TTL");
        Assert.InRange(ttl.Value, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
    }

    [Fact]
    public async Task Retention_ShortRetention_TerminalRecordIsGoneAfterIt()
    {
        _retention = TimeSpan.FromMilliseconds(300);
        var store = await OpenAsync();
        var record = Pending(Clock.Now);
        await store.CreateAsync(record, [], Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.True(await store.TryUpdateAsync(Next(record, ApprovalState.Expired), 1, [], Ct).AsTask().WaitAsync(Timeout, Ct));

        while (await store.GetAsync(record.Approval.ApprovalId, Ct).AsTask().WaitAsync(Timeout, Ct) is not null)
        {
            await Task.Delay(50, Ct);
        }

        var retried = await store.CreateAsync(Pending(Clock.Now, callId: record.Approval.Request.CallId), [], Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.True(retried.Created);
    }

    [Fact]
    public async Task Keys_EveryKeyWritten_CarriesTheHashTag()
    {
        var record = Pending(Clock.Now, deadlineMs: Clock.Now.AddMinutes(1).ToUnixTimeMilliseconds());
        await Store.CreateAsync(record, Entries("created", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.TryUpdateAsync(Next(record, ApprovalState.Approved), 1, Entries("approved", Clock.Now), Ct).AsTask().WaitAsync(Timeout, Ct);
        await Store.TryConsumeTokenAsync("jti-1", Clock.Now.AddMinutes(5), Ct).AsTask().WaitAsync(Timeout, Ct);

        using var inspector = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint + ",allowAdmin=true").WaitAsync(Timeout, Ct);
        var keys = inspector.GetServer(Server.Endpoint).Keys(pattern: "*").Select(k => (string)k!).ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.StartsWith("{gate}:", k, StringComparison.Ordinal));
    }
}
