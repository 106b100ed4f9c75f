namespace GateSidecar.Approvals.Redis;

/// <summary>
/// The Lua scripts. Each runs atomically on the server. A script that may stop early checks
/// everything before its first write, so a stop never leaves a half-applied write behind.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// Applies a batch of writes in order, all appending to the audit chain.
    /// KEYS[1] = audit head, KEYS[2] = append turn. ARGV: prefix, expected head seq, retention ms,
    /// op count, then per op
    /// kind (C|U|A; A appends audit entries only: no record, nothing published; a C of a record
    /// that is not pending publishes nothing either: see IApprovalStore.Subscribe), id, idempotency
    /// tail (C) or expected seq (U), new seq, state, pending (1|0), pool,
    /// list member (C), deadline ms, record bytes, last entry hash, entry count, and per entry
    /// seq, approval id, at ms, bytes; then the change log's length; last, the writer's id.
    /// Each record write appends its change to the change log (a stream trimmed to about that
    /// length) and publishes it with the entry's id, the writer's id and the deadline it indexes (0
    /// when none or not pending), so a subscriber that missed messages reads
    /// them back (see <see cref="ChangeLogTail"/>). The chain head is written once per script, as
    /// it returns (also when it stops early or a Lua error ends it), not per op. A created record and its idempotency key
    /// are new keys: a non-pending one gets its retention TTL as it is written, a pending one none.
    /// Fairness: a writer that finds the head moved takes the next turn (a 200 ms lease); while
    /// another writer holds it, the script writes nothing and returns {'T', 0, head seq, head hash};
    /// the holder's next batch applies and releases it. Without turns a writer could lose every race
    /// to a busier one and fail its calls. The head check alone keeps the chain correct.
    /// Returns {'H', 0, head seq, head hash} when the chain head moved (nothing written);
    /// {'OK', n} when all n ops applied; otherwise it stops at the first op that cannot apply, after
    /// applying the ones before it: {'E', applied, existing record bytes} (create found its key),
    /// {'X', applied} (version conflict or no such record), {'D', applied} (approval id taken).
    /// </summary>
    public const string Apply = """
        local p = ARGV[1]
        local headKey = KEYS[1]
        local turnKey = KEYS[2]
        local writer = ARGV[#ARGV]
        local head = redis.call('HMGET', headKey, 's', 'h')
        local headSeq = tonumber(head[1]) or 0
        local turn = redis.call('GET', turnKey)
        if turn and turn ~= writer then
          return {'T', 0, tostring(head[1] or '0'), head[2] or ''}
        end
        if headSeq ~= tonumber(ARGV[2]) then
          redis.call('SET', turnKey, writer, 'PX', 200)
          return {'H', 0, tostring(head[1] or '0'), head[2] or ''}
        end
        if turn then
          redis.call('DEL', turnKey)
        end
        local retention = ARGV[3]
        local count = tonumber(ARGV[4])
        local dueKey = p .. ':due'
        local auditKey = p .. ':audit'
        local channel = p .. ':changes'
        local changelog = p .. ':changelog'
        local logLength = ARGV[#ARGV - 1]
        local i = 5
        local applied = 0
        local headHash
        local function applyAll()
          for n = 1, count do
            local kind, id, third = ARGV[i], ARGV[i + 1], ARGV[i + 2]
            local seq, state, pending = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5] == '1'
            local pool, member, deadline = ARGV[i + 6], ARGV[i + 7], tonumber(ARGV[i + 8])
            local data, lastHash, entries = ARGV[i + 9], ARGV[i + 10], tonumber(ARGV[i + 11])
            local recordKey = p .. ':a:' .. id
            local idemKey
            if kind == 'A' then
              -- audit entries only
            elseif kind == 'C' then
              idemKey = p .. ':k:' .. third
              local existingId = redis.call('GET', idemKey)
              if existingId then
                local existing = redis.call('HGET', p .. ':a:' .. existingId, 'd')
                if existing then
                  return {'E', applied, existing}
                end
              end
              if redis.call('EXISTS', recordKey) == 1 then
                return {'D', applied}
              end
              if pending then
                redis.call('SET', idemKey, id)
              else
                redis.call('SET', idemKey, id, 'PX', retention)
              end
              redis.call('HSET', recordKey, 'd', data, 's', seq, 'st', state, 'p', pool, 'm', member, 'k', idemKey)
            else
              local current = redis.call('HMGET', recordKey, 's', 'p', 'm', 'k')
              if current[1] ~= third then
                return {'X', applied}
              end
              member, idemKey = current[3], current[4]
              if current[2] and member then
                redis.call('ZREM', p .. ':pool:' .. current[2], member)
              end
              redis.call('ZREM', dueKey, id)
              redis.call('HSET', recordKey, 'd', data, 's', seq, 'st', state, 'p', pool)
            end
            if kind == 'A' then
              -- no record, no indexes
            elseif pending then
              if member then
                redis.call('ZADD', p .. ':pool:' .. pool, 0, member)
              end
              if deadline > 0 then
                redis.call('ZADD', dueKey, deadline, id)
              end
              if kind == 'U' then
                -- a created record has no TTL yet; an updated one may have had one
                redis.call('PERSIST', recordKey)
                if idemKey then redis.call('PERSIST', idemKey) end
              end
            else
              redis.call('PEXPIRE', recordKey, retention)
              if idemKey and kind == 'U' then redis.call('PEXPIRE', idemKey, retention) end
            end
            local a = i + 12
            local entrySeq
            for _ = 1, entries do
              entrySeq = ARGV[a]
              redis.call('HSET', auditKey, entrySeq, ARGV[a + 2] .. ':' .. ARGV[a + 3])
              redis.call('ZADD', p .. ':audit:ap:' .. ARGV[a + 1], entrySeq, entrySeq)
              a = a + 4
            end
            if entrySeq then
              headSeq, headHash = entrySeq, lastHash
            end
            if kind == 'U' or pending then
              local change = seq .. ':' .. state .. ':' .. string.len(id) .. ':' .. id .. pool
              local entry = redis.call('XADD', changelog, 'MAXLEN', '~', logLength, '*', 'c', change)
              redis.call('PUBLISH', channel, entry .. ':' .. writer .. ':' .. (pending and ARGV[i + 8] or '0') .. ':' .. change)
            end
            applied = applied + 1
            i = a
          end
          return {'OK', applied}
        end
        -- The chain head is written once, after the writes, with the last entry appended; also
        -- when a write stops the batch or raises an error, so that entries already written are
        -- never left ahead of the head (the next batch would be sealed onto the old head).
        local ok, result = pcall(applyAll)
        if headHash then
          redis.call('HSET', headKey, 's', headSeq, 'h', headHash)
        end
        if not ok then
          error(result, 0)
        end
        return result
        """;

    /// <summary>
    /// The change log's newest entry id, its oldest entry id, and whether it was ever trimmed
    /// ('1' or '0'); ids are <c>0-0</c> when the log does not exist. KEYS[1] = the change log.
    /// </summary>
    public const string ChangeLogTail = """
        if redis.call('EXISTS', KEYS[1]) == 0 then
          return {'0-0', '0-0', '0'}
        end
        local info = redis.call('XINFO', 'STREAM', KEYS[1])
        local last, first, added, length = '0-0', '0-0', 0, 0
        for n = 1, #info, 2 do
          local name = info[n]
          if name == 'last-generated-id' then last = info[n + 1]
          elseif name == 'recorded-first-entry-id' then first = info[n + 1]
          elseif name == 'entries-added' then added = tonumber(info[n + 1])
          elseif name == 'length' then length = tonumber(info[n + 1]) end
        end
        local trimmed = '0'
        if added > length then trimmed = '1' end
        return {last, first, trimmed}
        """;

    /// <summary>
    /// Change log entries after an id, up to another, at most a count. KEYS[1] = the change log.
    /// ARGV: after (exclusive), through (inclusive), count. Returns {id, {'c', change}} per entry.
    /// </summary>
    public const string ChangeLogRange = """
        return redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], ARGV[2], 'COUNT', ARGV[3])
        """;

    /// <summary>
    /// Pending candidates of several pools after a cursor. KEYS[1] = due (routing only). ARGV:
    /// prefix, limit, cursor member ('' for the first page), pools… Returns member, record bytes
    /// pairs: up to limit + 1 per pool, merged and cut by the caller (Lua's string order follows the
    /// server's locale, byte order is decided in C#).
    /// </summary>
    public const string ListPending = """
        local p = ARGV[1]
        local limit = tonumber(ARGV[2])
        local low = '-'
        if ARGV[3] ~= '' then low = '(' .. ARGV[3] end
        local out = {}
        for n = 4, #ARGV do
          local members = redis.call('ZRANGEBYLEX', p .. ':pool:' .. ARGV[n], low, '+', 'LIMIT', 0, limit + 1)
          for _, member in ipairs(members) do
            local colon = string.find(member, ':', 1, true)
            local data = redis.call('HGET', p .. ':a:' .. string.sub(member, colon + 1), 'd')
            if data then
              out[#out + 1] = member
              out[#out + 1] = data
            end
          end
        end
        return out
        """;

    /// <summary>
    /// One page of audit entries in seq order. KEYS[1] = audit head. ARGV: prefix, after seq,
    /// approval id ('' = any), since ms ('' = none), until ms ('' = none, exclusive), limit, scan
    /// budget. Returns {next cursor or '', entry bytes…}. Without an approval id the script scans
    /// at most `budget` seqs, so a page can hold fewer than `limit` entries and still have a cursor.
    /// Seqs up to the pruning checkpoint are skipped (they are gone).
    /// </summary>
    public const string ListAudit = """
        local p = ARGV[1]
        local after = tonumber(ARGV[2])
        local pruned = tonumber(redis.call('HGET', p .. ':audit:checkpoint', 's') or '0')
        if after < pruned then after = pruned end
        local approval = ARGV[3]
        local since = tonumber(ARGV[4])
        local untilMs = tonumber(ARGV[5])
        local limit = tonumber(ARGV[6])
        local budget = tonumber(ARGV[7])
        local auditKey = p .. ':audit'
        local out = {''}
        local found = 0
        local function take(value)
          local colon = string.find(value, ':', 1, true)
          local at = tonumber(string.sub(value, 1, colon - 1))
          if (since == nil or at >= since) and (untilMs == nil or at < untilMs) then
            out[#out + 1] = string.sub(value, colon + 1)
            found = found + 1
          end
        end
        if approval ~= '' then
          local seqs = redis.call('ZRANGEBYSCORE', p .. ':audit:ap:' .. approval, '(' .. string.format('%d', after), '+inf', 'LIMIT', 0, budget)
          for index, seq in ipairs(seqs) do
            local value = redis.call('HGET', auditKey, seq)
            if value then take(value) end
            if found == limit then
              if index < #seqs or #seqs == budget then out[1] = seq end
              return out
            end
          end
          if #seqs == budget then out[1] = seqs[#seqs] end
          return out
        end
        local head = tonumber(redis.call('HGET', KEYS[1], 's') or '0')
        local last = math.min(head, after + budget)
        local seq = after + 1
        while seq <= last do
          local value = redis.call('HGET', auditKey, string.format('%d', seq))
          if value then take(value) end
          if found == limit then
            if seq < head then out[1] = string.format('%d', seq) end
            return out
          end
          seq = seq + 1
        end
        if last < head then out[1] = string.format('%d', last) end
        return out
        """;

    /// <summary>
    /// The approvals whose deadline passed, earliest first, for the deadline scheduler. KEYS[1] = the
    /// deadline index. ARGV: prefix, now ms, at most how many, then the ids whose records the caller
    /// does not need (its timeouts under way). An entry whose record is gone (deleted
    /// behind the store, or evicted) or no longer PENDING/ESCALATED (state 1 or 2; the apply script
    /// removes the entry when it closes a record, so only a change outside Gate leaves one) can never
    /// be timed out: it is removed from the index instead of returned, so such entries cannot fill
    /// every batch and hold back the deadlines after them. Returns { ids, removed ids, records }, the
    /// records in the order of the ids ('' for those the caller does not need).
    /// </summary>
    public const string Due = """
        local p = ARGV[1]
        local known = {}
        for n = 4, #ARGV do known[ARGV[n]] = true end
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
        local live, gone, records = {}, {}, {}
        for _, id in ipairs(ids) do
          local key = p .. ':a:' .. id
          local state = redis.call('HGET', key, 'st')
          if state == '1' or state == '2' then
            live[#live + 1] = id
            if known[id] then
              records[#records + 1] = ''
            else
              records[#records + 1] = redis.call('HGET', key, 'd') or ''
            end
          else
            redis.call('ZREM', KEYS[1], id)
            gone[#gone + 1] = id
          end
        end
        return { live, gone, records }
        """;

    /// <summary>
    /// Removes the pruned head of the audit chain, compare-and-set on the checkpoint. KEYS[1] =
    /// audit head. ARGV: prefix, expected checkpoint seq (0 = none), new checkpoint seq, hash, at ms,
    /// kid, signature, the stored bytes of the last pruned entry, then the approval ids of the pruned
    /// entries (their per-approval index entries go too). Returns 1 when pruned; 0, changing nothing,
    /// when the checkpoint moved, the last pruned entry changed or is the newest entry.
    /// </summary>
    public const string PruneAudit = """
        local p = ARGV[1]
        local checkpointKey = p .. ':audit:checkpoint'
        local current = tonumber(redis.call('HGET', checkpointKey, 's') or '0')
        if current ~= tonumber(ARGV[2]) then return 0 end
        local through = tonumber(ARGV[3])
        local head = tonumber(redis.call('HGET', KEYS[1], 's') or '0')
        if head <= through then return 0 end
        local auditKey = p .. ':audit'
        local last = redis.call('HGET', auditKey, ARGV[3])
        if not last then return 0 end
        local colon = string.find(last, ':', 1, true)
        if string.sub(last, colon + 1) ~= ARGV[8] then return 0 end
        for seq = current + 1, through do
          redis.call('HDEL', auditKey, string.format('%d', seq))
        end
        for n = 9, #ARGV do
          redis.call('ZREMRANGEBYSCORE', p .. ':audit:ap:' .. ARGV[n], '-inf', through)
        end
        redis.call('HSET', checkpointKey, 's', ARGV[3], 'h', ARGV[4], 'at', ARGV[5], 'kid', ARGV[6], 'sig', ARGV[7])
        return 1
        """;
}
