import { writeSynthThread } from '../fixtures/synthHome.js';
import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { open } from 'lmdb';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { BACKFILLED_KEY, openIndex, passLmdbBackfillGate } from '../../indexer/open/openIndex.js';
import { compareKeys } from '../../projections/batch.js';
import type { IndexWrite, KeyPart } from '../../domain/index/rows.js';
import { DB_NAMES, SCHEMA_VERSION, SCHEMA_VERSION_KEY } from '../../adapters/driven/lmdb/schema.js';
import { newThread } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import type { KeyText } from '../../domain/index/keyText.js';

const WORKER = fileURLToPath(new URL('./leaseWorker.js', import.meta.url));

const tmp = (p: string) => fs.mkdtemp(nodePath.join(os.tmpdir(), p));

const writeHome = async (home: string, n: number): Promise<void> => {
  for (let i = 0; i < n; i++) {
    const t = newThread(40 + i);
    await writeSynthThread(home, t, 2);
  }
};

const freshDump = async (home: string): Promise<string> => {
  const d = await tmp('ix-fresh-');
  const s = right(await openLmdbIndex(d)());
  right(await catchUpHome(s, home)());
  const out = JSON.stringify(right(await s.dump()()));
  right(await s.close()());
  await fs.rm(d, { recursive: true, force: true });
  return out;
};

/** Start the worker and wait for its first line. */
const startWorker = (
  dir: string,
  owner: string,
  ttl: number,
  mode: 'hold' | 'crash',
): Promise<{ child: ChildProcess; line: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, dir, owner, String(ttl), mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve({ child, line: buf.trim() });
    });
    child.on('error', reject);
  });

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

describe('index schema migrations and the backfill gate', function () {
  this.timeout(120_000);
  let home: string;
  let dir: string;

  beforeEach(async () => {
    home = await tmp('home-m-');
    dir = nodePath.join(await tmp('ix-m-'), 'index');
    await writeHome(home, 3);
  });
  afterEach(async () => {
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(nodePath.dirname(dir), { recursive: true, force: true });
  });

  it('a new environment gets the schema version; reopening it is current', async () => {
    const a = right(await openIndex(dir, home)());
    expect(a.migrated).to.equal('init');
    expect(a.store.reader.get('meta', SCHEMA_VERSION_KEY)).to.equal(SCHEMA_VERSION);
    right(await a.store.close()());
    const b = right(await openIndex(dir, home)());
    expect(b.migrated).to.equal('current');
    right(await b.store.close()());
  });

  it('an unversioned (older) index is rebuilt into a fresh environment and swapped in', async () => {
    const old = right(await openLmdbIndex(dir)());
    right(await catchUpHome(old, home)());
    right(await old.commit(() => [{ op: 'put', table: 'turns', key: ['junk', 1], value: { id: 'junk' } }])());
    right(await old.close()());
    const r = right(await openIndex(dir, home)());
    try {
      expect(r.migrated).to.equal('rebuilt');
      expect(r.store.reader.get('meta', SCHEMA_VERSION_KEY)).to.equal(SCHEMA_VERSION);
      expect(JSON.stringify(right(await r.store.dump()()))).to.equal(await freshDump(home));
      expect((await fs.readdir(nodePath.dirname(dir))).sort()).to.deep.equal(['index']);
    } finally {
      right(await r.store.close()());
    }
  });

  it('schema 1 → 2 (ordinals) runs in place: every turn key and item ordinal gets its line, the other rows stay', async () => {
    const v1 = right(await openLmdbIndex(dir)());
    right(await catchUpHome(v1, home)());
    const withoutOrdinals = (rows: ReadonlyArray<{ table: string }>) =>
      JSON.stringify(rows.filter((r) => r.table !== 'ordinals'));
    const before = withoutOrdinals(right(await v1.dump()()));
    const items = right(await v1.range('items', [])());
    expect(items.some((r) => r.value.ordinal !== null)).to.equal(true, 'a paginated home');
    right(
      await v1.commit((reader) => [
        ...reader.keys('ordinals', []).map((k) => ({ op: 'del' as const, table: 'ordinals' as const, key: k })),
        { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: 1 },
      ])(),
    );
    right(await v1.close()());
    // Exactly the 1 → 2 step (later versions rebuild).
    const r = right(await openIndex(dir, home, { target: 2 })());
    try {
      expect(r.migrated).to.equal('steps');
      expect(withoutOrdinals(right(await r.store.dump()()))).to.equal(before);
      const ordinals = right(await r.store.range('ordinals', [])());
      for (const it of items)
        if (it.value.ordinal !== null)
          expect(ordinals).to.deep.include({ key: [it.key[0], it.value.ordinal], value: it.key[1] });
    } finally {
      right(await r.store.close()());
    }
  });

  it('schema 9 → 10 (sparse ordinals, item ids in turn rows) rebuilds: an index of the old layout answers as a fresh build', async () => {
    // A schema-9 index: fold rows without startOrdinal, an ordinals row for every turn key and item,
    // turnIds holding only the key line (item ids had a table of their own).
    const v9 = right(await openLmdbIndex(dir)());
    right(await catchUpHome(v9, home)());
    right(
      await v9.commit((reader) => {
        const writes: IndexWrite[] = [{ op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: 9 }];
        for (const [R] of reader.keys('fold', [])) {
          const { startOrdinal: _s, ...old } = reader.get('fold', [R as string])!;
          writes.push({ op: 'put', table: 'fold', key: [R as string], value: old });
        }
        for (const [R, turnId] of reader.keys('turnIds', [])) {
          const line = reader.get('turnIds', [R as string, turnId as KeyText])!.line;
          writes.push({ op: 'put', table: 'turnIds', key: [R as string, turnId as string], value: line as never });
        }
        for (const [R, line] of reader.keys('items', [])) {
          const o = reader.get('items', [R as string, line as number])?.ordinal;
          if (o != null) writes.push({ op: 'put', table: 'ordinals', key: [R as string, o], value: line });
        }
        return writes;
      })(),
    );
    expect(v9.reader.keys('ordinals', []).length).to.be.greaterThan(0);
    right(await v9.close()());
    const r = right(await openIndex(dir, home)());
    try {
      expect(r.migrated).to.equal('rebuilt');
      expect(r.store.reader.get('meta', SCHEMA_VERSION_KEY)).to.equal(SCHEMA_VERSION);
      expect(JSON.stringify(right(await r.store.dump()()))).to.equal(await freshDump(home));
      expect(r.store.reader.keys('ordinals', [])).to.deep.equal([], 'Codex numbers every line: no ordinals rows');
    } finally {
      right(await r.store.close()());
    }
  });

  it('schema 6 → 7: rows written without shared record structures still read, in place; new rows share them', async () => {
    // A schema-6 index: the same rows, each value carrying its own record structure (lmdb's default).
    const built = right(await openLmdbIndex(dir)());
    right(await catchUpHome(built, home)());
    const rows = right(await built.dump()());
    right(await built.close()());
    await fs.rm(dir, { recursive: true, force: true });
    const env = open({ path: dir, maxDbs: 32, compression: false });
    const dbs = new Map(Object.entries(DB_NAMES).map(([t, name]) => [t, env.openDB({ name })]));
    env.transactionSync(() => {
      for (const r of rows)
        dbs
          .get(r.table)!
          .putSync((r.key as unknown[]).length === 1 ? ((r.key as unknown[])[0] as never) : (r.key as never), r.value);
      dbs.get('meta')!.putSync(SCHEMA_VERSION_KEY[0], 6);
    });
    const inline = dbs.get('turns')!.getBinary([...dbs.get('turns')!.getKeys({})][0] as never)!;
    expect(Buffer.from(inline).includes('rootTurnId')).to.equal(true, 'a schema-6 value names its fields');
    await env.close();

    const r = right(await openIndex(dir, home, { target: 7 })());
    try {
      expect(r.migrated).to.equal('steps');
      expect(r.store.reader.get('meta', SCHEMA_VERSION_KEY)).to.equal(7);
      expect(JSON.stringify(right(await r.store.dump()()))).to.equal(JSON.stringify(rows));
      // Rows written from now on name their fields once per table, not in each value.
      right(
        await r.store.commit(() => [
          {
            op: 'put',
            table: 'turns',
            key: ['fresh', 1],
            value: { ...(rows.find((x) => x.table === 'turns')!.value as object) },
          },
        ])(),
      );
      // The table's structures entry (a symbol key) is not a row: whole-table ranges skip it.
      const turns = right(await r.store.range('turns', [])());
      expect(turns.map((t) => t.key)).to.deep.equal(
        [
          ...(rows as unknown as ReadonlyArray<{ table: string; key: KeyPart[] }>)
            .filter((x) => x.table === 'turns')
            .map((x) => x.key),
          ['fresh', 1],
        ].sort(compareKeys),
      );
    } finally {
      right(await r.store.close()());
    }
    const after = open({ path: dir, maxDbs: 32, readOnly: true });
    try {
      const fresh = after.openDB({ name: DB_NAMES.turns, encoding: 'binary' }).getBinary(['fresh', 1] as never)!;
      expect(Buffer.from(fresh).includes('rootTurnId')).to.equal(false);
      expect(fresh.length).to.be.lessThan(inline.length);
    } finally {
      await after.close();
    }
  });

  it('in-place steps run in order, each with its version bump; a newer index is Unsupported', async () => {
    await right(await openIndex(dir, home)())
      .store.close()()
      .then(right);
    const next = SCHEMA_VERSION + 1;
    const migrations = [
      {
        from: SCHEMA_VERSION,
        to: next,
        name: 'test-step',
        kind: 'inPlace' as const,
        run: () => [{ op: 'put' as const, table: 'meta' as const, key: ['touched'], value: next }],
      },
    ];
    const r = right(await openIndex(dir, home, { migrations, target: next })());
    expect(r.migrated).to.equal('steps');
    expect(r.store.reader.get('meta', SCHEMA_VERSION_KEY)).to.equal(next);
    expect(r.store.reader.get('meta', ['touched'])).to.equal(next);
    right(await r.store.close()());
    const newer = await openIndex(dir, home)();
    expect(E.isLeft(newer) && newer.left._tag).to.equal('Unsupported');
  });

  it('backfill gate: the lease holder backfills; with no holder this process does it', async () => {
    const { store } = right(await openIndex(dir, home)());
    try {
      const passage = right(await passLmdbBackfillGate(store, home, { waitMs: 1000 })());
      expect(passage.verdict).to.equal('index');
      // This process ran the backfill, so it gets that catch-up's summary (callers need no second one).
      expect(passage.backfill?.indexed).to.equal(3);
      expect(right(await passLmdbBackfillGate(store, home, { waitMs: 1000 })())).to.deep.equal({
        verdict: 'index',
        backfill: null,
      });
      expect(store.reader.get('meta', BACKFILLED_KEY)).to.equal(true);
      expect(store.reader.keys('threads', [])).to.have.length(3);
      expect(store.reader.get('meta', ['lease'])).to.equal(undefined);
    } finally {
      right(await store.close()());
    }
  });

  it('backfill gate: a second process waits the bounded time, then answers from the files', async () => {
    await right(await openIndex(dir, home)())
      .store.close()()
      .then(right);
    const { child, line } = await startWorker(dir, 'other-process', 60_000, 'hold');
    try {
      expect(line).to.equal('acquired');
      const { store } = right(await openIndex(dir, home)());
      try {
        const t0 = Date.now();
        const passage = right(await passLmdbBackfillGate(store, home, { waitMs: 600, pollMs: 50 })());
        const waited = Date.now() - t0;
        expect(passage).to.deep.equal({ verdict: 'files', backfill: null });
        expect(waited).to.be.within(550, 10_000);
        expect(store.reader.get('meta', BACKFILLED_KEY)).to.equal(undefined);
      } finally {
        right(await store.close()());
      }
    } finally {
      child.kill();
      await exited(child);
    }
  });

  it('backfill gate: an expired lease (its holder died) is taken over and the waiter backfills', async () => {
    await right(await openIndex(dir, home)())
      .store.close()()
      .then(right);
    const { child, line } = await startWorker(dir, 'crashed-process', 700, 'crash');
    await exited(child);
    expect(line).to.equal('acquired');
    const { store } = right(await openIndex(dir, home)());
    try {
      const passage = right(await passLmdbBackfillGate(store, home, { waitMs: 10_000, pollMs: 50 })());
      expect(passage.verdict).to.equal('index');
      expect(passage.backfill).to.not.equal(null);
      expect(store.reader.get('meta', BACKFILLED_KEY)).to.equal(true);
      expect(store.reader.keys('threads', [])).to.have.length(3);
    } finally {
      right(await store.close()());
    }
  });
});
