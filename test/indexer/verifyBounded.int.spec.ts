// Issue 21, "verify/repair after an interrupted index": verify compares the index with a fresh
// fold one rollout at a time (never a dump of either), finds every difference the whole dumps
// show, and lists only the first ones unless asked for all; repair rebuilds when most of the home
// must be read again anyway and re-indexes only what differs otherwise.
import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { IndexStore } from '../../domain/ports.js';
import type { TableName } from '../../domain/index/rows.js';
import { ROLLOUT_TABLES } from '../../domain/index/rows.js';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { discoverRolloutFiles } from '../../adapters/driven/jsonl/home/discover.js';
import { verifyIndex } from '../../indexer/verify/verify.js';
import { chooseRepair, repairIndex } from '../../indexer/verify/repair.js';
import type { IndexDiff } from '../../indexer/verify/verify.js';
import { memoryIndexStore } from '../../projections/memoryStore.js';
import { RolloutWriter, threeTurnRoot } from '../fixtures/rolloutLines.js';
import { act, newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { CLI } from '../fixtures/cliBundle.js';

const run = promisify(execFile);

const ROOT = '01a1fe84-0000-7000-8000-0000000000a1';
const FORK = '01a1fe84-0000-7000-8000-0000000000a2';
const REV = '01a1fe84-0000-7000-8000-0000000000a3';

const write = async (home: string, rel: string, text: string): Promise<string> => {
  const p = nodePath.join(home, rel);
  await fs.mkdir(nodePath.dirname(p), { recursive: true });
  await fs.writeFile(p, text);
  return p;
};

/** A home with `n` synthetic threads (both modes, a bad line), a root with a fork and a revision, an unreadable file and a duplicate. */
const makeHome = async (n: number): Promise<string> => {
  const home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-vb-'));
  for (let i = 0; i < n; i++) {
    const t = newThread(300 + i, i % 3 === 0 ? 'legacy' : 'paginated');
    const lines = threadLines(t, 1 + (i % 4));
    if (i % 5 === 0) lines.push(...act(t, 'startTurn'), ...act(t, 'user'));
    if (i === 1) lines.splice(3, 0, 'not json at all');
    await write(home, rolloutRelPath(t.threadId), lines.map((l) => l + '\n').join(''));
  }
  const day = 'sessions/2026/11/22';
  const { root, cut1, cutForRevert } = threeTurnRoot(ROOT);
  await write(home, `${day}/rollout-2026-11-22T14-00-00-${ROOT}.jsonl`, root.text());
  const fork = new RolloutWriter('paginated', FORK, {
    startOrdinal: cut1.end_ordinal_exclusive,
    startMs: root.nowMs() + 1000,
  });
  fork.sessionMeta({ forked_from_id: ROOT, history_base: cut1 });
  fork.chatTurn('f1', 'forked question', 'F1');
  await write(home, `${day}/rollout-2026-11-22T14-01-00-${FORK}.jsonl`, fork.text());
  const rev = new RolloutWriter('paginated', ROOT, {
    startOrdinal: cutForRevert.end_ordinal_exclusive,
    startMs: fork.nowMs() + 1000,
  });
  rev.sessionMeta({ history_base: cutForRevert });
  rev.chatTurn('r1', 'after revert', 'RA1');
  await write(home, `${day}/rollout-2026-11-22T14-03-00-${ROOT}_${REV}.jsonl`, rev.text());
  await write(
    home,
    `${day}/rollout-2026-11-22T14-04-00-01a1fe84-0000-7000-8000-0000000000a4.jsonl`,
    'garbage first line\n{"a":1}\n',
  );
  // The same thread archived too: a duplicate rollout id.
  await write(
    home,
    `archived_sessions/${nodePath.basename(rolloutRelPath(newThread(302).threadId))}`,
    threadLines(newThread(302), 1)
      .map((l) => l + '\n')
      .join(''),
  );
  return home;
};

/** The reference: both whole dumps compared in memory (what verify did before), as (kind table key) strings. */
/** A row value as JSON, bytes as base64 whatever their class (LMDB gives a Buffer, a fold a Uint8Array). */
const asText = (v: unknown): string =>
  JSON.stringify(v, function (this: Record<string, unknown>, k: string, x: unknown) {
    const raw = this[k];
    return raw instanceof Uint8Array ? Buffer.from(raw).toString('base64') : x;
  });

const fullListing = async (store: IndexStore, home: string): Promise<string[]> => {
  const fresh = memoryIndexStore();
  right(await catchUpHome(fresh, home)());
  const ours = right(await store.dump()());
  const theirs = right(await fresh.dump()());
  const slot = (table: string, key: unknown) => JSON.stringify([table, key]);
  const expected = new Map(theirs.map((r) => [slot(r.table, r.key), r]));
  const out: string[] = [];
  for (const r of ours) {
    const s = slot(r.table, r.key);
    const e = expected.get(s);
    expected.delete(s);
    if (e === undefined) out.push(`extra ${s}`);
    else if (asText(e.value) !== asText(r.value)) out.push(`different ${s}`);
  }
  for (const s of expected.keys()) out.push(`missing ${s}`);
  return out.sort();
};

/** `rollout-engine index` as if it had stopped after `keep` files: the others are put aside while it runs. */
const indexOnly = async (home: string, keep: number, indexDir?: string): Promise<void> => {
  const files = right(await discoverRolloutFiles(home)());
  const aside = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'aside-'));
  const moved = files.slice(keep).map((f, i) => [f.path, nodePath.join(aside, String(i))] as const);
  for (const [from, to] of moved) await fs.rename(from, to);
  try {
    await run('node', [
      CLI,
      'index',
      '--codex-home',
      home,
      ...(indexDir === undefined ? [] : ['--index-dir', indexDir]),
    ]);
  } finally {
    for (const [from, to] of moved) await fs.rename(to, from);
    await fs.rm(aside, { recursive: true, force: true });
  }
};

const listed = (d: IndexDiff): string => `${d.kind} ${JSON.stringify([d.table, d.key])}`;

/**
 * The index as verify may read it: a key or a range within one rollout (or a short range with a
 * limit), never a dump nor a whole row table at once.
 */
const boundedReads = (store: LmdbIndexStore): IndexStore => ({
  ...store,
  dump: () => {
    throw new Error('verify dumped the index');
  },
  range: (table, prefix, opts) => {
    if (
      (ROLLOUT_TABLES as ReadonlyArray<TableName>).includes(table) &&
      prefix.length === 0 &&
      opts?.limit === undefined
    )
      throw new Error(`verify read all of ${table}`);
    return store.range(table, prefix, opts);
  },
});

/** Damage of every kind: rows missing, changed and extra, in rollout tables, checkpoints and thread rows. */
const damage = async (store: IndexStore): Promise<void> => {
  const turns = right(await store.range('turns', [ROOT])());
  const items = right(await store.range('items', [FORK])());
  const cp = right(await store.range('files', [], { limit: 1 })())[0]!;
  const thread = right(await store.get('threads', [FORK])())!;
  right(
    await store.commit(() => [
      { op: 'del', table: 'turns', key: turns[0]!.key },
      { op: 'put', table: 'turns', key: turns[1]!.key, value: { ...turns[1]!.value, status: 'failed' } },
      { op: 'del', table: 'items', key: items[0]!.key },
      { op: 'put', table: 'items', key: ['nobody', 3], value: { turnId: 'x' } },
      { op: 'put', table: 'tokenAudit', key: ['zzzz-stray', 1], value: { x: 1 } },
      { op: 'put', table: 'files', key: [cp.key[0]], value: { ...cp.value, line: cp.value.line + 1 } },
      { op: 'put', table: 'files', key: ['/nowhere/rollout.jsonl'], value: cp.value },
      { op: 'put', table: 'threads', key: [FORK], value: { ...thread, preview: 'changed' } },
      { op: 'put', table: 'threads', key: ['no-such-thread'], value: thread },
    ])(),
  );
};

// Each test of verify and of repair gets a generated home and a fresh, empty index of its own.
describe('verify and repair on a generated home', function () {
  this.timeout(120_000);
  let home: string;
  let dir: string;
  let store: LmdbIndexStore;

  beforeEach(async () => {
    home = await makeHome(24);
    dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-vr-'));
    store = right(await openLmdbIndex(dir)());
  });
  afterEach(async () => {
    right(await store.close()());
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(dir, { recursive: true, force: true });
  });

  describe('verify in bounded memory: every difference, a capped listing', () => {
    it('after an interrupted index and after damage of every kind, reading one rollout at a time, it finds exactly what the whole dumps show', async () => {
      const files = right(await discoverRolloutFiles(home)());
      // An index interrupted half way: only some files are indexed.
      right(await catchUpHome(store, home, { files: files.filter((_, i) => i % 2 === 0) })());
      const interrupted = right(await verifyIndex(boundedReads(store), home, { keep: Number.POSITIVE_INFINITY })());
      const reference = await fullListing(store, home);
      expect(reference.length).to.be.greaterThan(50);
      expect(interrupted.diffs.map(listed).sort()).to.deep.equal(reference);
      expect(interrupted.differences).to.equal(reference.length);

      right(await catchUpHome(store, home)());
      expect(right(await verifyIndex(boundedReads(store), home)()).differences).to.equal(0);
      await damage(store);
      const damaged = right(await verifyIndex(boundedReads(store), home, { keep: Number.POSITIVE_INFINITY })());
      expect(damaged.diffs.map(listed).sort()).to.deep.equal(await fullListing(store, home));
      expect(damaged.byTable).to.deep.equal({
        turns: { missing: 1, extra: 0, different: 1 },
        items: { missing: 1, extra: 1, different: 0 },
        tokenAudit: { missing: 0, extra: 1, different: 0 },
        files: { missing: 0, extra: 1, different: 1 },
        threads: { missing: 0, extra: 1, different: 1 },
      });
    });

    it('keeps the first differences, counts all of them per table, and tells each to onDiff', async () => {
      right(await catchUpHome(store, home, { files: right(await discoverRolloutFiles(home)()).slice(0, 3) })());
      const told: IndexDiff[] = [];
      const r = right(await verifyIndex(store, home, { keep: 5, onDiff: (d) => told.push(d) })());
      expect(r.diffs).to.have.length(5);
      expect(told).to.have.length(r.differences);
      expect(Object.values(r.byTable).reduce((n, c) => n + c.missing + c.extra + c.different, 0)).to.equal(
        r.differences,
      );
      expect(r.diffs).to.deep.equal(told.slice(0, 5));
    });

    it('rollout-engine verify prints counts per table and the first 20 differences; --all lists every one; --json counts them', async () => {
      const indexDir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-cli-'));
      try {
        await indexOnly(home, 3, indexDir);
        const args = ['verify', '--codex-home', home, '--index-dir', indexDir];
        const differing = (e: { stdout: string; code: number }) => {
          expect(e.code).to.equal(3);
          return e;
        };
        const json = JSON.parse((await run('node', [CLI, ...args, '--json']).catch(differing)).stdout) as {
          differences: number;
          diffs: unknown[];
          omitted: number;
          byTable: Record<string, unknown>;
        };
        expect(json.differences).to.be.greaterThan(100);
        expect(json.diffs).to.have.length(20);
        expect(json.omitted).to.equal(json.differences - 20);
        expect(Object.keys(json.byTable)).to.include.members(['files', 'turns', 'items', 'threads']);
        const human = (await run('node', [CLI, ...args]).catch(differing)).stdout.trimEnd().split('\n');
        expect(human[0]).to.include(`, ${json.differences} differences;`);
        expect(human.filter((l) => /^ {2}(missing|extra|different) /.test(l))).to.have.length(20);
        expect(human[human.length - 1]).to.equal(`  … ${json.differences - 20} more (--all lists every one)`);
        // Capped: the 20 listed, a count line per table with differences, and a few lines of heading and totals.
        expect(human.length).to.be.at.most(20 + Object.keys(json.byTable).length + 6);
        const all = (await run('node', [CLI, ...args, '--all'], { maxBuffer: 64 << 20 }).catch(differing)).stdout
          .trimEnd()
          .split('\n');
        expect(all.filter((l) => /^ {2}(missing|extra|different) /.test(l))).to.have.length(json.differences);
      } finally {
        await fs.rm(indexDir, { recursive: true, force: true });
      }
    });
  });

  describe('repair: what the last verify found, in place when it is little, else a rebuild', () => {
    it('chooses by the share of bytes to read again', () => {
      expect(chooseRepair({ reindexBytes: 0, totalBytes: 0 })).to.equal('files');
      expect(chooseRepair({ reindexBytes: 10, totalBytes: 100 })).to.equal('files');
      expect(chooseRepair({ reindexBytes: 49, totalBytes: 100 })).to.equal('files');
      expect(chooseRepair({ reindexBytes: 50, totalBytes: 100 })).to.equal('rebuild');
      expect(chooseRepair({ reindexBytes: 100, totalBytes: 100 })).to.equal('rebuild');
    });

    it('re-indexes in place what verify found and the files not indexed as they are now, only those; then verify finds nothing', async () => {
      right(await catchUpHome(store, home)());
      await damage(store);
      const { findings } = right(await verifyIndex(store, home)());
      // A file grew since (after verify: found by its checkpoint).
      const grown = nodePath.join(home, rolloutRelPath(newThread(305).threadId));
      await fs.appendFile(
        grown,
        act(newThread(305), 'context')
          .map((l) => l + '\n')
          .join(''),
      );
      const r = right(await repairIndex(store, home, findings)());
      expect(r.strategy).to.equal('files');
      expect(r.rollouts).to.include.members([ROOT, FORK, newThread(305).threadId, 'nobody', 'zzzz-stray']);
      expect(r.reindexFiles).to.be.within(3, 6);
      expect(r.reindexBytes! * 2).to.be.lessThan(r.bytes!);
      // Each file read again once (a duplicate's checkpoint is only recorded).
      expect(r.catchUp!.indexed + r.catchUp!.reindexed).to.be.within(r.reindexFiles! - 1, r.reindexFiles!);
      expect(right(await verifyIndex(store, home)()).differences).to.equal(0);
    });

    it('without findings, or with findings the index has moved past, asks for a rebuild and touches nothing', async () => {
      right(await catchUpHome(store, home)());
      await damage(store);
      const { findings } = right(await verifyIndex(store, home)());
      const before = right(await store.dump()());
      const none = right(await repairIndex(store, home, undefined)());
      expect(none).to.deep.include({ strategy: 'rebuild', files: null, catchUp: null });
      expect(none.reason).to.match(/no verify findings/);
      // A catch-up after verify: its findings no longer describe the index.
      await fs.appendFile(
        nodePath.join(home, rolloutRelPath(newThread(305).threadId)),
        act(newThread(305), 'context')
          .map((l) => l + '\n')
          .join(''),
      );
      right(await catchUpHome(store, home)());
      const moved = right(await store.dump()());
      const stale = right(await repairIndex(store, home, findings)());
      expect(stale.strategy).to.equal('rebuild');
      expect(stale.reason).to.match(/written since the last verify/);
      expect(right(await store.dump()())).to.deep.equal(moved);
      expect(moved).to.not.deep.equal(before);
    });

    it('asks for a rebuild when most of the home must be read again (an index that stopped early), findings or not', async () => {
      const files = right(await discoverRolloutFiles(home)());
      right(await catchUpHome(store, home, { files: files.slice(0, 5) })());
      const { findings } = right(await verifyIndex(store, home)());
      const before = right(await store.dump()());
      const r = right(await repairIndex(store, home, findings)());
      expect(r.strategy).to.equal('rebuild');
      expect(r.reindexBytes! * 2).to.be.greaterThan(r.bytes!);
      expect(right(await store.dump()())).to.deep.equal(before);
    });

    it('rollout-engine repair: rebuilds after an index that stopped early; after verify, re-indexes in place what it found; verify then finds nothing', async () => {
      const cliHome = await makeHome(24);
      try {
        await indexOnly(cliHome, 4);
        const rebuilt = JSON.parse(
          (await run('node', [CLI, 'repair', '--codex-home', cliHome, '--json'])).stdout,
        ) as Record<string, unknown>;
        expect(rebuilt).to.deep.include({ strategy: 'rebuild', rebuilt: true });
        expect((await run('node', [CLI, 'verify', '--codex-home', cliHome])).stdout).to.include(', 0 differences;');
        const files = right(await discoverRolloutFiles(cliHome)());
        await fs.appendFile(
          files[3]!.path,
          act(newThread(999), 'context')
            .map((l) => l + '\n')
            .join(''),
        );
        const verified = await run('node', [CLI, 'verify', '--codex-home', cliHome]).catch(
          (e: { code: number; stdout: string }) => e,
        );
        expect((verified as { code?: number }).code).to.equal(3);
        await fs.stat(nodePath.join(cliHome, '.rollout-engine', 'verify.json'));
        const inPlace = JSON.parse(
          (await run('node', [CLI, 'repair', '--codex-home', cliHome, '--json'])).stdout,
        ) as Record<string, unknown>;
        expect(inPlace).to.deep.include({ strategy: 'files', rebuilt: false, reindexFiles: 1, reindexed: 1 });
        expect(
          await fs
            .stat(nodePath.join(cliHome, '.rollout-engine', 'verify.json'))
            .catch((e: NodeJS.ErrnoException) => e.code),
        ).to.equal('ENOENT');
        expect((await run('node', [CLI, 'verify', '--codex-home', cliHome])).stdout).to.include(', 0 differences;');
      } finally {
        await fs.rm(cliHome, { recursive: true, force: true });
      }
    });
  });
});
