import { expect } from 'chai';
import * as nodePath from 'node:path';
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import { catchUpHome } from '../../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../../indexer/open/openIndex.js';
import { ensureThreadFresh } from '../../../indexer/reads/freshness.js';
import { lazyCatchUpHome, nextJoinOf } from '../../../indexer/catchUp/lazyCatchUp.js';
import type { IndexStore } from '../../../domain/ports.js';
import type { ThreadRow } from '../../../domain/index/threadRows.js';
import type { LmdbIndexStore } from '../../../adapters/driven/lmdb/indexStore.js';
import { MIGRATIONS } from '../../../migrations/index/steps.js';
import { markThreadRowsDueOnce } from '../../../migrations/index/013-thread-rows-due.js';
import { markThreadRowsDue, threadRowsDueMarks } from '../../../projections/threadRowsDue.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../replay/mutationHome.js';

const ID = '01a1fe84-0000-7000-8000-0000000000d1';
/** Found by what it runs: its number may change as other steps land. */
const STEP = MIGRATIONS.find((m) => m.name === '013-thread-rows-due')!;

/**
 * A process killed between a catch-up's row commit and its thread-row commit left the thread row
 * behind its file for good (the next catch-up found no new bytes). Simulated here by putting the
 * old thread row back together with the killed catch-up's mark.
 */
describe('thread rows due: a catch-up interrupted before its thread rows', () => {
  const tmp = useTempDir('thread-rows-due-');

  const open = async (home: string): Promise<LmdbIndexStore> =>
    right(await openIndex(nodePath.join(home, '.rollout-engine', 'index'), home)()).store;

  /**
   * A home whose thread is indexed with two turns and then grown by a third in its file, and a view
   * of its index (`gated`) whose first commit once the file's rows are in (the thread rows) is held
   * until `release`: `atThreadRows` settles when a catch-up through it gets there.
   */
  const grownAndGated = async (home: string) => {
    const path = writeRollout(home, rolloutName(ID), chatThread('legacy', ID, 2).text());
    const store = await open(home);
    right(await catchUpHome(store, home)());
    const before = right(await store.get('threads', [ID])());
    const grown = chatThread('legacy', ID, 3).text();
    writeRollout(home, rolloutName(ID), grown.slice(chatThread('legacy', ID, 2).text().length), true);
    let reached!: () => void;
    const atThreadRows = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const fileIndexed = async () => {
      const cp = right(await store.get('files', [path])());
      return cp !== undefined && cp.size === Buffer.byteLength(grown);
    };
    let held = false;
    const gated: IndexStore = {
      ...store,
      commit: (build) => async () => {
        if (!held && (await fileIndexed())) {
          held = true;
          reached();
          await released;
        }
        return store.commit(build)();
      },
    };
    return { store, path, before, gated, atThreadRows, release };
  };

  it('the next catch-up re-derives the thread rows a dead process left behind its files, and drops its mark', async () => {
    const home = nodePath.join(tmp(), 'home');
    const path = writeRollout(home, rolloutName(ID), chatThread('legacy', ID, 2).text());
    const store = await open(home);
    try {
      right(await catchUpHome(store, home)());
      const before = right(await store.get('threads', [ID])());
      writeRollout(
        home,
        rolloutName(ID),
        chatThread('legacy', ID, 3)
          .text()
          .slice(chatThread('legacy', ID, 2).text().length),
        true,
      );
      right(await catchUpHome(store, home)());
      const after = right(await store.get('threads', [ID])());
      expect(after).to.not.deep.equal(before);

      const dead = spawnSync('true').pid;
      const kill = () =>
        store.commit(() => [
          { op: 'put', table: 'threads', key: [ID], value: before },
          markThreadRowsDue('killed', { pid: dead, host: os.hostname() }),
        ])();
      right(await kill());
      right(await catchUpHome(store, home)());
      expect(right(await store.get('threads', [ID])())).to.deep.equal(after);
      expect(threadRowsDueMarks(right(await store.range('meta', [])()))).to.deep.equal([]);
      // A read of the thread, whose files are all indexed, redoes them too.
      right(await kill());
      right(await ensureThreadFresh(store, home, ID)());
      expect(right(await store.get('threads', [ID])())).to.deep.equal(after);
      expect(threadRowsDueMarks(right(await store.range('meta', [])()))).to.deep.equal([]);
      expect(path).to.be.a('string');
    } finally {
      right(await store.close()());
    }
  });

  it('a catch-up of a grown file commits its mark with its file rows and clears it with its thread rows (no commit of either alone: each commit syncs)', async () => {
    const home = nodePath.join(tmp(), 'home-commits');
    writeRollout(home, rolloutName(ID), chatThread('legacy', ID, 2).text());
    const store = await open(home);
    try {
      right(await catchUpHome(store, home)());
      const grown = chatThread('legacy', ID, 3)
        .text()
        .slice(chatThread('legacy', ID, 2).text().length);
      writeRollout(home, rolloutName(ID), grown, true);
      const commits: string[][] = [];
      const seen: IndexStore = {
        ...store,
        commit: (build) =>
          store.commit((reader) => {
            const writes = build(reader);
            commits.push([
              ...new Set(
                writes.map((w) =>
                  `${w.op} ${w.table} ${w.table === 'meta' ? String(w.key[0]).split(':')[0] : ''}`.trim(),
                ),
              ),
            ]);
            return writes;
          }),
      };
      right(await catchUpHome(seen, home)());
      // The whole-home catch-up's third and fourth commits are the home's stats: what stands under
      // their key while their checkpoints are read, then the record (homeStatsRecord.ts).
      expect(commits.map((c) => c.filter((w) => w.includes('threadRowsDue')))).to.deep.equal([
        ['put meta threadRowsDue'],
        ['del meta threadRowsDue'],
        [],
        [],
      ]);
      expect(commits[0]).to.include('put files');
      expect(commits[1]).to.include('put threads');
      expect(commits[2]).to.deep.equal(['put meta homeStats']);
      expect(commits[3]).to.deep.equal(['put meta homeStats']);
      expect(threadRowsDueMarks(right(await store.range('meta', [])()))).to.deep.equal([]);
    } finally {
      right(await store.close()());
    }
  });

  it('a live process’s mark is left alone; the in-place step marks an older index due once (no owner)', async () => {
    expect(STEP.kind).to.equal('inPlace');
    const home = nodePath.join(tmp(), 'home2');
    writeRollout(home, rolloutName(ID), chatThread('legacy', ID, 1).text());
    const store = await open(home);
    try {
      right(await catchUpHome(store, home)());
      right(
        await store.commit(() => [
          markThreadRowsDue('live', { pid: process.pid, host: os.hostname() }),
          ...markThreadRowsDueOnce('012')(),
        ])(),
      );
      right(await catchUpHome(store, home)());
      expect(threadRowsDueMarks(right(await store.range('meta', [])())).map((m) => m.key[0])).to.deep.equal([
        'threadRowsDue:live',
      ]);
    } finally {
      right(await store.close()());
    }
  });

  /**
   * The in-place steps that mark thread rows due: each row as the schema before it wrote it, and the
   * step's mark, is derived anew by the next catch-up.
   */
  const dueSteps: ReadonlyArray<{
    readonly step: string;
    readonly what: string;
    /** The thread's file: one legacy turn, edited. */
    readonly edit: (text: string) => string;
    /** The row the current schema derives, and the same row as the schema before wrote it. */
    readonly now: (row: ThreadRow) => void;
    readonly before: (row: ThreadRow) => ThreadRow;
  }> = [
    {
      step: '045-originator-none',
      what: 'originator "" where no meta gave one: null',
      edit: (text) => text.replace(/"originator":"[^"]*"/, '"originator":""'),
      now: (row) => expect(row.originator).to.equal(null),
      before: (row) => ({ ...row, originator: '' }),
    },
    {
      step: '047-start-unread',
      what: "no startUnread where the meta's time is no RFC 3339 time",
      edit: (text) => text.replace(/("type":"session_meta","payload":\{[^\n]*?"timestamp":)"[^"]*"/, '$1"unknown"'),
      now: (row) => expect(row.startUnread).to.equal(true),
      before: ({ startUnread: _dropped, ...row }) => row,
    },
    {
      step: '050-file-scan-fills',
      what: 'no fileScanFills where the first meta has no provider and a later one names one',
      edit: (text) => {
        const [meta = '', ...rest] = text.split('\n');
        const without = meta.replace('"model_provider":"openai"', '"model_provider":null');
        return [without, meta.replace('"model_provider":"openai"', '"model_provider":"ollama"'), ...rest].join('\n');
      },
      now: (row) => expect(row.fileScanFills).to.deep.equal({ modelProvider: 'ollama' }),
      before: ({ fileScanFills: _dropped, ...row }) => row,
    },
  ];

  for (const { step: name, what, edit, now: expectNow, before: asBefore } of dueSteps)
    it(`${name.slice(0, 3)}: a thread row kept from before (${what}) is derived anew by the next catch-up`, async () => {
      const step = MIGRATIONS.find((m) => m.name === name)!;
      expect(step.kind).to.equal('inPlace');
      const home = nodePath.join(tmp(), `home-${name}`);
      writeRollout(home, rolloutName(ID), edit(chatThread('legacy', ID, 1).text()));
      const store = await open(home);
      try {
        right(await catchUpHome(store, home)());
        const now = right(await store.get('threads', [ID])())!;
        expectNow(now);
        const before = asBefore(now);
        right(
          await store.commit((reader) => [
            { op: 'put', table: 'threads', key: [ID], value: before },
            ...(step.kind === 'inPlace' ? step.run(reader) : []),
          ])(),
        );
        expect(right(await store.get('threads', [ID])())).to.deep.equal(before);
        right(await catchUpHome(store, home)());
        expect(right(await store.get('threads', [ID])())).to.deep.equal(now);
        expect(threadRowsDueMarks(right(await store.range('meta', [])()))).to.deep.equal([]);
      } finally {
        right(await store.close()());
      }
    });

  it('a read while a catch-up of its file in this process is between its rows and its thread rows waits for the thread rows (no new turns with old times)', async () => {
    const home = nodePath.join(tmp(), 'home-live');
    const { store, path, before, gated, atThreadRows, release } = await grownAndGated(home);
    try {
      // The interleaving, scripted: the home watch's catch-up of the file is held at its first
      // commit after the file's rows (its thread rows), and the read comes in then.
      const cp = right(await store.get('files', [path])())!;
      const watch = lazyCatchUpHome(gated, home, {
        files: [{ path, archived: cp.archived, fileTimestamp: cp.fileTimestamp, threadId: ID }],
      })();
      await atThreadRows;
      expect(right(await store.get('threads', [ID])())).to.deep.equal(before);

      // The read finds the file indexed: the catch-up is let go once the read has answered (it
      // must not: it would answer with the old row) or waits for it.
      let answered: unknown = undefined;
      const joined = nextJoinOf(gated);
      const read = ensureThreadFresh(gated, home, ID)().then(async (r) => {
        answered = right(await store.get('threads', [ID])());
        return r;
      });
      await Promise.race([read, joined]);
      release();
      right(await watch);
      const fresh = right(await read);
      const after = right(await store.get('threads', [ID])());
      expect(after).to.not.deep.equal(before);
      expect(answered, 'the thread row the read answered with').to.deep.equal(after);
      expect(fresh.freshness).to.equal('joinedCatchUp');
    } finally {
      right(await store.close()());
    }
  });
  it("a read while a whole-home catch-up in this process is between its file's rows and the thread rows answers the new row without waiting for it (serve's catch-up at start: a fork Codex continued read with its old times)", async () => {
    const home = nodePath.join(tmp(), 'home-start');
    const { store, before, gated, atThreadRows, release } = await grownAndGated(home);
    try {
      // serve's catch-up at start (no given files), held at its first commit after the file's rows
      // (a backfill behind serve is held likewise at `between` while a request runs: 7018404).
      const atStart = lazyCatchUpHome(gated, home)();
      await atThreadRows;
      expect(right(await store.get('threads', [ID])())).to.deep.equal(before);

      // The read finds the file indexed and its thread row old: it re-derives the row from the
      // committed rows while the catch-up is still held (it would hang if it waited for it).
      const fresh = right(await ensureThreadFresh(gated, home, ID)());
      const answered = right(await store.get('threads', [ID])());
      release();
      right(await atStart);
      const after = right(await store.get('threads', [ID])());
      expect(after).to.not.deep.equal(before);
      expect(answered, 'the thread row the read answered with').to.deep.equal(after);
      expect(fresh.freshness).to.equal('rederived');
    } finally {
      right(await store.close()());
    }
  });
});
