import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { ensureThreadFresh } from '../../indexer/reads/freshness.js';
import type { CatchUpSummary } from '../../indexer/catchUp/catchUp.js';
import type { TurnRow } from '../../domain/index/rows.js';
import { act, newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import type { Action, SynthThread } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { rolloutFilesAt } from '../../adapters/driven/jsonl/home/discover.js';

const tmp = (p: string) => fs.mkdtemp(nodePath.join(os.tmpdir(), p));

const writeThread = async (home: string, rel: string, lines: string[]): Promise<string> => {
  const p = nodePath.join(home, rel);
  await fs.mkdir(nodePath.dirname(p), { recursive: true });
  await fs.writeFile(p, lines.map((l) => l + '\n').join(''));
  return p;
};

const open = async (dir: string): Promise<LmdbIndexStore> => right(await openLmdbIndex(dir)());
const catchUp = async (s: LmdbIndexStore, home: string): Promise<CatchUpSummary> =>
  right(await catchUpHome(s, home, { batchLines: 7 })());
const dumpOf = async (s: LmdbIndexStore): Promise<string> => JSON.stringify(right(await s.dump()()));

/** Dump of a fresh rebuild of `home` in a new environment. */
const rebuildDump = async (home: string): Promise<string> => {
  const dir = await tmp('ix-rebuild-');
  const s = await open(dir);
  try {
    await catchUp(s, home);
    return await dumpOf(s);
  } finally {
    right(await s.close()());
    await fs.rm(dir, { recursive: true, force: true });
  }
};

const turnsOf = async (s: LmdbIndexStore, rolloutId: string): Promise<TurnRow[]> =>
  right(await s.range('turns', [rolloutId])()).map((r) => r.value);

describe('LMDB index catch-up', function () {
  this.timeout(120_000);
  let home: string;
  let dir: string;
  let store: LmdbIndexStore;

  beforeEach(async () => {
    home = await tmp('home-');
    dir = await tmp('ix-');
    store = await open(dir);
  });
  afterEach(async () => {
    right(await store.close()());
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('incremental indexing at random checkpoints equals a fresh rebuild (full dump, property)', async () => {
    const actions: Action[] = [
      'startTurn',
      'user',
      'agent',
      'reasoning',
      'context',
      'tokens',
      'complete',
      'fail',
      'abort',
    ];
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('append' as const),
        thread: fc.nat(3),
        action: fc.constantFrom(...actions),
        torn: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('index' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), fc.boolean(), async (steps, legacyOdd) => {
        const h = await tmp('home-p-');
        const d = await tmp('ix-p-');
        const s = await open(d);
        try {
          const threads: Array<{ t: SynthThread; path: string } | undefined> = [];
          const pendingTail = new Map<number, string>();
          for (const st of steps) {
            if (st.kind === 'index') {
              await catchUp(s, h);
              continue;
            }
            let th = threads[st.thread];
            if (!th) {
              const t = newThread(100 + st.thread, legacyOdd && st.thread % 2 === 1 ? 'legacy' : 'paginated');
              th = { t, path: await writeThread(h, rolloutRelPath(t.threadId), threadLines(t, 0)) };
              threads[st.thread] = th;
            }
            const text =
              (pendingTail.get(st.thread) ?? '') +
              act(th.t, st.action)
                .map((l) => l + '\n')
                .join('');
            pendingTail.delete(st.thread);
            // A torn append: the last line's second half lands later (a writer mid-write).
            const cut = st.torn && text.length > 10 ? text.length - 5 : text.length;
            await fs.appendFile(th.path, text.slice(0, cut));
            if (cut < text.length) pendingTail.set(st.thread, text.slice(cut));
          }
          await catchUp(s, h);
          expect(await dumpOf(s)).to.equal(await rebuildDump(h));
        } finally {
          right(await s.close()());
          await fs.rm(h, { recursive: true, force: true });
          await fs.rm(d, { recursive: true, force: true });
        }
      }),
      { numRuns: 25 },
    );
  });

  it('concurrent catch-ups of the same files never apply a batch twice (optimistic checkpoint)', async () => {
    const ts = [newThread(31), newThread(32, 'legacy')];
    const paths = await Promise.all(ts.map((t) => writeThread(home, rolloutRelPath(t.threadId), threadLines(t, 2))));
    await catchUp(store, home);
    for (let round = 0; round < 3; round++) {
      for (const [i, t] of ts.entries()) {
        const more = ['startTurn', 'user', 'reasoning', 'agent', 'tokens', 'complete'].flatMap((x) =>
          act(t, x as Action),
        );
        await fs.appendFile(paths[i]!, more.map((l) => l + '\n').join(''));
      }
      const runs = await Promise.all([0, 1, 2].map(() => catchUpHome(store, home, { batchLines: 3 })()));
      expect(runs.every(E.isRight)).to.equal(true);
      expect(await dumpOf(store)).to.equal(await rebuildDump(home));
    }
  });

  it('a second run over unchanged files reads nothing', async () => {
    const t = newThread(1);
    await writeThread(home, rolloutRelPath(t.threadId), threadLines(t, 3));
    const first = await catchUp(store, home);
    expect(first).to.deep.include({ files: 1, indexed: 1 });
    const second = await catchUp(store, home);
    expect(second).to.deep.include({ bytes: 0, lines: 0, unchanged: 1 });
  });

  it('afterCommit is told the bytes of each committed transaction, and they add up to the bytes read', async () => {
    const t = newThread(2);
    await writeThread(home, rolloutRelPath(t.threadId), threadLines(t, 1500));
    const told: number[] = [];
    const summary = right(
      await catchUpHome(store, home, { batchBytes: 2048, afterCommit: (bytes) => told.push(bytes) })(),
    );
    expect(told.length).to.be.greaterThan(1);
    expect(told.every((b) => b > 0)).to.equal(true);
    expect(told.reduce((a, b) => a + b, 0)).to.equal(summary.bytes);
  });

  it('a revision file has its own rows; the thread row follows it and takes the preview from the base below the cut', async () => {
    const root = newThread(51);
    const rootLines = threadLines(root, 3);
    await writeThread(home, rolloutRelPath(root.threadId), rootLines);
    // Revert after turn 1: the revision continues the base's ordinals below the cut.
    const cutLine = rootLines.findIndex((l, i) => i > 1 && l.includes('"task_started"'));
    const endByte = rootLines.slice(0, cutLine).reduce((a, l) => a + Buffer.byteLength(l) + 1, 0);
    const rev = newThread(52);
    const revision = { ...rev, threadId: root.threadId, n: cutLine };
    const revLines = threadLines(revision, 2, {
      history_base: { thread_id: root.threadId, end_ordinal_exclusive: cutLine, end_byte_offset: endByte },
    });
    const revPath = await writeThread(
      home,
      `sessions/2026/11/21/rollout-2026-11-21T15-00-00-${root.threadId}_${rev.threadId}.jsonl`,
      revLines,
    );
    await catchUp(store, home);
    const row = right(await store.get('threads', [root.threadId])())!;
    expect(row).to.deep.include({ path: revPath, rolloutId: rev.threadId, archived: false });
    expect(row.preview).to.equal(right(await store.get('rollouts', [root.threadId])())!.preview);
    expect(await turnsOf(store, root.threadId)).to.have.length(3);
    const own = await turnsOf(store, rev.threadId);
    expect(own).to.have.length(2);
    expect(own[0]!.anchor!.ordinal).to.be.greaterThan(cutLine);
    expect(await dumpOf(store)).to.equal(await rebuildDump(home));
  });

  describe('read-repair', () => {
    let a: SynthThread;
    let b: SynthThread;
    let pathA: string;

    beforeEach(async () => {
      a = newThread(11);
      b = newThread(12);
      pathA = await writeThread(home, rolloutRelPath(a.threadId), threadLines(a, 3));
      await writeThread(home, rolloutRelPath(b.threadId), threadLines(b, 2));
      await catchUp(store, home);
    });

    const fresh = async (id: string) => right(await ensureThreadFresh(store, home, id)()).freshness;

    it('unchanged: answers from the index as is', async () => {
      expect(await fresh(a.threadId)).to.equal('fresh');
    });

    it('longer: catches up the tail only', async () => {
      const more = ['startTurn', 'user', 'agent', 'complete'].flatMap((x) => act(a, x as Action));
      await fs.appendFile(pathA, more.map((l) => l + '\n').join(''));
      const r = right(await ensureThreadFresh(store, home, a.threadId)());
      expect(r.freshness).to.equal('caughtUp');
      expect(r.summary).to.deep.include({ tailed: 1, lines: more.length });
      expect(await turnsOf(store, a.threadId)).to.have.length(4);
      expect(await dumpOf(store)).to.equal(await rebuildDump(home));
    });

    it('truncated: re-indexes the shorter file', async () => {
      const text = await fs.readFile(pathA, 'utf8');
      const lines = text.split('\n').filter((l) => l !== '');
      await fs.writeFile(
        pathA,
        lines
          .slice(0, 12)
          .map((l) => l + '\n')
          .join(''),
      );
      expect(await fresh(a.threadId)).to.equal('rescanned');
      expect((await turnsOf(store, a.threadId)).length).to.be.lessThan(3);
      expect(await dumpOf(store)).to.equal(await rebuildDump(home));
    });

    it('replaced: a rewritten head (same thread, other content) is re-indexed', async () => {
      const a2 = newThread(11);
      await fs.writeFile(
        pathA,
        threadLines(a2, 5, { cwd: '/elsewhere' })
          .map((l) => l + '\n')
          .join(''),
      );
      expect(await fresh(a.threadId)).to.equal('rescanned');
      expect(await turnsOf(store, a.threadId)).to.have.length(5);
      expect(right(await store.get('threads', [a.threadId])())!.cwd).to.equal('/elsewhere');
      expect(await dumpOf(store)).to.equal(await rebuildDump(home));
    });

    it('deleted: the rows of a deleted file go away', async () => {
      await fs.rm(pathA);
      expect(await fresh(a.threadId)).to.equal('rescanned');
      expect(right(await store.get('threads', [a.threadId])())).to.equal(undefined);
      expect(await turnsOf(store, a.threadId)).to.have.length(0);
      expect(right(await store.get('files', [pathA])())).to.equal(undefined);
      expect(await dumpOf(store)).to.equal(await rebuildDump(home));
    });

    it('stale row: the path now holds another thread; a scan finds the thread where it moved', async () => {
      const moved = nodePath.join(home, 'archived_sessions', nodePath.basename(pathA));
      await fs.mkdir(nodePath.dirname(moved), { recursive: true });
      await fs.rename(pathA, moved);
      const c = newThread(13);
      await fs.writeFile(
        pathA,
        threadLines(c, 1)
          .map((l) => l + '\n')
          .join(''),
      );
      const r = right(await ensureThreadFresh(store, home, a.threadId)());
      expect(r.freshness).to.equal('rescanned');
      expect(r.summary!.mismatched).to.deep.equal([
        { path: pathA, nameThreadId: a.threadId, metaThreadId: c.threadId },
      ]);
      const row = right(await store.get('threads', [a.threadId])())!;
      expect(row.path).to.equal(moved);
      expect(row.archived).to.equal(true);
      expect(await turnsOf(store, a.threadId)).to.have.length(3);
      expect(await turnsOf(store, c.threadId)).to.have.length(1);
      expect(await dumpOf(store)).to.equal(await rebuildDump(home));
    });

    it('duplicate ids: two files of one thread resolve to one winner, reported, same as a rebuild', async () => {
      const copy = nodePath.join(home, 'sessions/2026/11/22', nodePath.basename(pathA));
      await fs.mkdir(nodePath.dirname(copy), { recursive: true });
      const extra = ['startTurn', 'user', 'complete'].flatMap((x) => act(a, x as Action));
      await fs.writeFile(copy, (await fs.readFile(pathA, 'utf8')) + extra.map((l) => l + '\n').join(''));
      const s = await catchUp(store, home);
      // Same name, both active: the larger path in byte order wins, deterministically.
      expect(s.duplicates).to.deep.equal([{ rolloutId: a.threadId, winner: copy, losers: [pathA] }]);
      expect(right(await store.get('threads', [a.threadId])())!.path).to.equal(copy);
      expect(await turnsOf(store, a.threadId)).to.have.length(4);
      expect(right(await store.get('files', [pathA])())!.duplicateOf).to.equal(copy);
      expect(await dumpOf(store)).to.equal(await rebuildDump(home));
      // The winner going away: the other copy takes over, re-indexed from its start.
      await fs.rm(copy);
      await catchUp(store, home);
      expect(await turnsOf(store, a.threadId)).to.have.length(3);
      expect(await dumpOf(store)).to.equal(await rebuildDump(home));
    });

    for (const everyChange of [false, true])
      it(`duplicate ids, the winner's file given alone${everyChange ? ' as every change (a check of the home)' : ' (a watch)'}: replaced by another rollout, or gone, the other file takes over, as a rebuild`, async () => {
        const copy = nodePath.join(home, 'sessions/2026/11/22', nodePath.basename(pathA));
        await fs.mkdir(nodePath.dirname(copy), { recursive: true });
        await fs.copyFile(pathA, copy);
        await catchUp(store, home);
        expect(right(await store.get('files', [pathA])())!.duplicateOf).to.equal(copy);
        const given = async (path: string) =>
          right(
            await catchUpHome(store, home, {
              batchLines: 7,
              files: right(rolloutFilesAt(home, [path])),
              ...(everyChange ? { everyChange: true as const } : {}),
            })(),
          );
        /** Thread a's rows are its first file's, as a rebuild makes them. */
        const heldByA = async () => {
          expect(right(await store.get('threads', [a.threadId])())!.path).to.equal(pathA);
          expect(await turnsOf(store, a.threadId)).to.have.length(3);
          expect(await dumpOf(store)).to.equal(await rebuildDump(home));
        };
        // The winner now holds another thread's rollout: the rollout it held is the other file's, not gone.
        const c = newThread(14);
        await fs.writeFile(
          copy,
          threadLines(c, 2)
            .map((l) => l + '\n')
            .join(''),
        );
        await given(copy);
        await heldByA();
        // Again a copy, the winner, then gone: the other file's rows.
        await fs.copyFile(pathA, copy);
        await catchUp(store, home);
        expect(right(await store.get('files', [pathA])())!.duplicateOf).to.equal(copy);
        await fs.rm(copy);
        await given(copy);
        await heldByA();
      });
  });
});
