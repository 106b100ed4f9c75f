#!/usr/bin/env python3
# Retention pass cost on the SQLite approvals table, with the former index on updated_ms and its
# query against the rowid-bounded query that replaced it (SqliteWriteCommands.PruneApprovals).
# Python's sqlite3 on a file in /tmp; N rows 10 ms apart, one in 1,000 still pending, half older
# than the cut-off.   python3 loadtests/sqlite-prune-bench.py [N]
import sqlite3, time, os, sys
DB=os.path.join(os.environ.get('TMPDIR', '/tmp'), 'gate-prune-bench.db')
N=int(sys.argv[1]) if len(sys.argv)>1 else 500000
schema_common='''CREATE TABLE approvals (id TEXT NOT NULL PRIMARY KEY, tenant TEXT NOT NULL, call_id TEXT NOT NULL, state INTEGER NOT NULL, pool TEXT NOT NULL, deadline_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, updated_ms INTEGER NOT NULL, UNIQUE (tenant, call_id));
CREATE INDEX approvals_pending_by_pool ON approvals (pool, created_ms, id) WHERE state IN (1, 2);
CREATE INDEX approvals_pending_by_deadline ON approvals (deadline_ms, id) WHERE state IN (1, 2) AND deadline_ms > 0;'''
old_idx='CREATE INDEX approvals_terminal_by_updated ON approvals (updated_ms) WHERE state NOT IN (1, 2);'
old_q='DELETE FROM approvals WHERE state NOT IN (1, 2) AND updated_ms < ?1;'
new_q='''DELETE FROM approvals WHERE rowid < coalesce((SELECT rowid FROM approvals WHERE created_ms >= ?1 ORDER BY rowid LIMIT 1), 9223372036854775807) AND state NOT IN (1, 2) AND updated_ms < ?1;'''
def build(path, with_idx):
    if os.path.exists(path): os.remove(path)
    c=sqlite3.connect(path); c.executescript('PRAGMA journal_mode=WAL;'+schema_common+(old_idx if with_idx else ''))
    blob=os.urandom(900); t0=1_700_000_000_000
    rows=[]
    for i in range(N):
        ms=t0+i*10
        st = 1 if i%1000==0 else 4
        rows.append(('%012x'%ms+os.urandom(16).hex(),'acme','call-'+os.urandom(8).hex(),st,'p',0,ms,1,blob,ms))
    c.executemany('INSERT INTO approvals VALUES (?,?,?,?,?,?,?,?,?,?)',rows); c.commit(); return c, t0
for name,with_idx,q in (('old (index)',True,old_q),('new (rowid)',False,new_q)):
    c,t0=build(DB,with_idx)
    cutoff=t0+N*10//2
    t=time.perf_counter(); n=c.execute(q,(cutoff,)).rowcount; c.commit(); d1=time.perf_counter()-t
    t=time.perf_counter(); n2=c.execute(q,(cutoff+1000,)).rowcount; c.commit(); d2=time.perf_counter()-t
    t=time.perf_counter(); n3=c.execute(q,(cutoff+1000,)).rowcount; c.commit(); d3=time.perf_counter()-t
    left=c.execute('select count(*) from approvals where created_ms < ?',(cutoff,)).fetchone()[0]
    print(f'{name}: first pass deleted {n} in {d1*1000:.0f} ms; next pass (100 rows due) {n2} in {d2*1000:.1f} ms; nothing due {n3} in {d3*1000:.1f} ms; pending left below cutoff {left}')
    c.close()
os.remove(DB)
