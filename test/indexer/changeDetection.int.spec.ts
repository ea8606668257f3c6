import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { ensureThreadFresh } from '../../indexer/reads/freshness.js';
import type { TurnRow } from '../../domain/index/rows.js';
import { act, newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import type { Action } from '../projections/synth.js';
import { right } from '../fixtures/right.js';

const writeLines = async (p: string, lines: string[]): Promise<string> => {
  await fs.mkdir(nodePath.dirname(p), { recursive: true });
  await fs.writeFile(p, lines.map((l) => l + '\n').join(''));
  return p;
};

const dumpOf = async (s: LmdbIndexStore): Promise<string> => JSON.stringify(right(await s.dump()()));

const rebuildDump = async (home: string): Promise<string> => {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-cd-rebuild-'));
  const s = right(await openLmdbIndex(dir)());
  try {
    right(await catchUpHome(s, home)());
    return await dumpOf(s);
  } finally {
    right(await s.close()());
    await fs.rm(dir, { recursive: true, force: true });
  }
};

/** Replace `from` by `to` (same byte length) at its first occurrence at or after byte `after`. */
const rewriteInPlace = async (p: string, after: number, from: string, to: string): Promise<number> => {
  expect(Buffer.byteLength(from)).to.equal(Buffer.byteLength(to));
  const bytes = await fs.readFile(p);
  const at = bytes.indexOf(from, after);
  expect(at, `${from} after byte ${after}`).to.be.greaterThan(-1);
  const before = (await fs.stat(p)).size;
  bytes.write(to, at);
  await fs.writeFile(p, bytes);
  expect((await fs.stat(p)).size).to.equal(before);
  return at;
};

describe('index change detection (same-size rewrites, rewritten-and-grown files, new revision files)', function () {
  this.timeout(120_000);
  let home: string;
  let dir: string;
  let store: LmdbIndexStore;

  beforeEach(async () => {
    home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-cd-'));
    dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-cd-'));
    store = right(await openLmdbIndex(dir)());
  });
  afterEach(async () => {
    right(await store.close()());
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(dir, { recursive: true, force: true });
  });

  const turns = async (rolloutId: string): Promise<TurnRow[]> =>
    right(await store.range('turns', [rolloutId])()).map((r) => r.value);

  it('a same-size rewrite past the first 4 KiB (head unchanged) is re-indexed: mtime/ctime differ', async () => {
    const t = newThread(71);
    const p = await writeLines(nodePath.join(home, rolloutRelPath(t.threadId)), threadLines(t, 8));
    right(await catchUpHome(store, home)());
    expect((await turns(t.threadId)).map((x) => x.durationMs)).to.deep.equal(Array(8).fill(1000));
    await rewriteInPlace(p, 4096, '"duration_ms":1000', '"duration_ms":4321');
    expect(right(await ensureThreadFresh(store, home, t.threadId)()).freshness).to.equal('rescanned');
    expect((await turns(t.threadId)).map((x) => x.durationMs)).to.include(4321);
    expect(await dumpOf(store)).to.equal(await rebuildDump(home));
    // Through a plain catch-up too, and nothing to do afterwards.
    await rewriteInPlace(p, 4096, '"duration_ms":1000', '"duration_ms":1234');
    const s = right(await catchUpHome(store, home)());
    expect(s).to.deep.include({ reindexed: 1, tailed: 0 });
    expect(await dumpOf(store)).to.equal(await rebuildDump(home));
    expect(right(await catchUpHome(store, home)())).to.deep.include({ unchanged: 1, bytes: 0 });
  });

  it('a file rewritten before its checkpoint and grown is re-indexed, not tailed (tail hash)', async () => {
    const t = newThread(72);
    const p = await writeLines(nodePath.join(home, rolloutRelPath(t.threadId)), threadLines(t, 6));
    right(await catchUpHome(store, home)());
    const size = (await fs.stat(p)).size;
    await rewriteInPlace(p, size - 3000, '"duration_ms":1000', '"duration_ms":7777');
    const more = ['startTurn', 'user', 'agent', 'complete'].flatMap((x) => act(t, x as Action));
    await fs.appendFile(p, more.map((l) => l + '\n').join(''));
    const r = right(await catchUpHome(store, home)());
    expect(r).to.deep.include({ reindexed: 1, tailed: 0 });
    expect((await turns(t.threadId)).map((x) => x.durationMs)).to.include(7777);
    expect(await dumpOf(store)).to.equal(await rebuildDump(home));
    // A plain append is still a tail catch-up.
    await fs.appendFile(
      p,
      ['startTurn', 'user', 'complete']
        .flatMap((x) => act(t, x as Action))
        .map((l) => l + '\n')
        .join(''),
    );
    expect(right(await catchUpHome(store, home)())).to.deep.include({ tailed: 1, reindexed: 0 });
    expect(await dumpOf(store)).to.equal(await rebuildDump(home));
  });

  it('a new revision file of a thread is found from the day folders since its current file, without a full scan', async () => {
    const root = newThread(73);
    const rootLines = threadLines(root, 3);
    await writeLines(nodePath.join(home, rolloutRelPath(root.threadId)), rootLines);
    // Another thread in an earlier day folder: a full scan would probe it, the revision check must not.
    const other = newThread(74);
    await writeLines(
      nodePath.join(home, 'sessions/2026/11/20', nodePath.basename(rolloutRelPath(other.threadId))),
      threadLines(other, 1),
    );
    right(await catchUpHome(store, home)());
    expect(right(await ensureThreadFresh(store, home, root.threadId)()).freshness).to.equal('fresh');

    // A revert today writes a revision file into today's folder (a later day's; one a writer may
    // still add to: an older folder's listing is kept for good, discover.ts `SETTLED_AFTER_MS`).
    const today = new Date().toISOString().slice(0, 10);
    const cutLine = rootLines.findIndex((l, i) => i > 1 && l.includes('"task_started"'));
    const endByte = rootLines.slice(0, cutLine).reduce((a, l) => a + Buffer.byteLength(l) + 1, 0);
    const rev = newThread(75);
    const revision = { ...rev, threadId: root.threadId, n: cutLine };
    const revLines = threadLines(revision, 2, {
      history_base: { thread_id: root.threadId, end_ordinal_exclusive: cutLine, end_byte_offset: endByte },
    });
    const revPath = await writeLines(
      nodePath.join(
        home,
        `sessions/${today.replaceAll('-', '/')}/rollout-${today}T09-00-00-${root.threadId}_${rev.threadId}.jsonl`,
      ),
      revLines,
    );

    const r = right(await ensureThreadFresh(store, home, root.threadId)());
    expect(r.freshness).to.equal('caughtUp');
    expect(r.summary).to.deep.include({ files: 1, indexed: 1 });
    const row = right(await store.get('threads', [root.threadId])())!;
    expect(row).to.deep.include({ path: revPath, rolloutId: rev.threadId });
    expect(await turns(rev.threadId)).to.have.length(2);
    expect(await dumpOf(store)).to.equal(await rebuildDump(home));
    expect(right(await ensureThreadFresh(store, home, root.threadId)()).freshness).to.equal('fresh');
  });
});
