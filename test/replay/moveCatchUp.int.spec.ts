import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { openIndex } from '../../indexer/open/openIndex.js';
import { portsOver } from '../../adapters/driving/composition/openCodexHome.js';
import type { Progress } from '../../domain/index/progress.js';
import { archiveThread } from '../../replay/mutations/archiveThread.js';
import { unarchiveThread } from '../../replay/mutations/unarchiveThread.js';
import { deleteThread } from '../../replay/mutations/deleteThread.js';
import { listThreads } from '../../replay/history/listThreads.js';
import type { ListThreadsQuery } from '../../replay/history/listThreads.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, right, rolloutName, writeRollout } from './mutationHome.js';

/*
 * An archive, an unarchive or a delete moves or removes every file of one thread under their
 * writer locks (replay/internal/moveThreadFiles.ts, deleteThread.ts), then catches up those files
 * before it answers: which file is each rollout's now is settled among them (HistoryIndexer
 * `catchUp` `everyFile`), not by a catch-up of the whole home, which at 100,000 rollouts cost 4 s
 * of CPU and 430 MB a move. The lists then equal those of an index built from the home as it is.
 */
const IDS = [0, 1, 2, 3, 4].map((i) => `eeeeeeee-0000-7000-8000-00000000000${i}`);
const LIVE: ListThreadsQuery = { limit: 20, sortKey: 'updated_at' };
const ARCHIVED: ListThreadsQuery = { ...LIVE, archived: true };

describe('archive, unarchive and delete catch up the files of their thread, not the home', function () {
  this.timeout(120_000);
  const dir = useTempDir('re-move-catchup-');

  /** Ports over the home's index, and the files each catch-up that ended looked at. */
  const open = async (home: string, indexDir: string) => {
    const opened = await openIndex(indexDir, home)();
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
    const store = opened.right.store;
    const filesCaughtUp: number[] = [];
    const onProgress = (p: Progress) => {
      if (p.stage === 'done') filesCaughtUp.push(p.filesTotal);
    };
    const ports = portsOver(store, home, { onProgress });
    return { ports, filesCaughtUp, close: async () => void (await store.close()()) };
  };

  /** Both lists of a fresh index of the home now. */
  const freshLists = async (home: string) => {
    const fresh = await open(home, fs.mkdtempSync(nodePath.join(dir(), 'fresh-')));
    try {
      return [await right(listThreads(fresh.ports.read, LIVE)), await right(listThreads(fresh.ports.read, ARCHIVED))];
    } finally {
      await fresh.close();
    }
  };

  it('each moves or removes one thread: a catch-up of its files alone, the lists those of a fresh index', async () => {
    const home = nodePath.join(dir(), 'home');
    fs.mkdirSync(home);
    IDS.forEach((id, i) => writeRollout(home, rolloutName(id), chatThread('paginated', id, i + 1).text()));
    const m = await open(home, nodePath.join(home, '.rollout-engine', 'index'));
    try {
      await right(m.ports.read.indexer.refreshAll());
      const lists = async () => [
        await right(listThreads(m.ports.read, LIVE)),
        await right(listThreads(m.ports.read, ARCHIVED)),
      ];
      const steps: Array<[string, () => Promise<unknown>]> = [
        ['archive', () => right(archiveThread(m.ports.mutations, { threadId: IDS[1]! }))],
        ['archive', () => right(archiveThread(m.ports.mutations, { threadId: IDS[3]! }))],
        ['unarchive', () => right(unarchiveThread(m.ports.mutations, { threadId: IDS[1]! }))],
        ['delete', () => right(deleteThread(m.ports.mutations, { threadId: IDS[3]! }))],
      ];
      for (const [what, step] of steps) {
        m.filesCaughtUp.length = 0;
        await step();
        // The thread's one file before and after (a whole home's catch-up: all five files).
        expect(m.filesCaughtUp, what).to.deep.equal([what === 'delete' ? 0 : 1]);
        expect(await lists(), what).to.deep.equal(await freshLists(home));
      }
      const [live, archived] = await lists();
      expect(live!.page.data.map((t) => t.id).sort()).to.deep.equal([IDS[0], IDS[1], IDS[2], IDS[4]]);
      expect(archived!.page.data).to.deep.equal([]);
    } finally {
      await m.close();
    }
  });
});
