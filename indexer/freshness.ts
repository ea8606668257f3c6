import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import type { IndexStore } from '../domain/ports.js';
import type { FileCheckpoint } from '../domain/index/rows.js';
import { walkHistoryAsync } from '../domain/history/walk.js';
import { hopOfRow } from '../domain/history/historyBase.js';
import { discoverRevisionFiles } from '../adapters/jsonl/discover.js';
import type { RolloutFile } from '../adapters/jsonl/discover.js';
import { errnoCode, toEngineError } from '../adapters/fs/fsError.js';
import { isInsideHome, outsideHome } from '../adapters/fs/insideHome.js';
import { probeFile, unchangedSince } from '../adapters/jsonl/probe.js';
import { lazyCatchUpHome } from './lazyCatchUp.js';
import { threadRowsInterrupted } from './interruptedCatchUp.js';
import type { CatchUpOptions, CatchUpSummary } from './catchUp.js';

export type Freshness = 'fresh' | 'caughtUp' | 'rescanned';

const fileOf = (cp: FileCheckpoint): RolloutFile => ({
  path: cp.path,
  archived: cp.archived,
  fileTimestamp: cp.fileTimestamp,
  threadId: cp.threadId ?? '',
  ...(cp.revisionId === null ? {} : { revisionId: cp.revisionId }),
});

/**
 * Read-repair before answering from the index for one thread: every file of its logical history
 * is compared with its checkpoint (one stat; probed when size or times differ), and the day folders since its current file are listed for
 * revision files the index has not seen (a revert writes a new file). Longer files and new
 * revisions → catch-up of those files only; gone, shorter, replaced or rewritten files (head,
 * tail, or mtime/ctime at the same size), or a path now holding another thread → a full scan
 * repairs the rows (the thread is then found wherever it lives now). An unknown thread also
 * triggers a scan.
 */
export const ensureThreadFresh =
  (
    store: IndexStore,
    home: string,
    threadId: string,
    options: CatchUpOptions = {},
  ): TE.TaskEither<EngineError, { freshness: Freshness; summary: CatchUpSummary | null }> =>
  async () => {
    const rescan = async () => {
      const r = await lazyCatchUpHome(store, home, options)();
      return E.isLeft(r) ? r : E.right({ freshness: 'rescanned' as const, summary: r.right });
    };
    const thread = await store.get('threads', [threadId])();
    if (E.isLeft(thread)) return thread;
    if (thread.right === undefined) return rescan();
    const current = await store.get('rollouts', [thread.right.rolloutId])();
    if (E.isLeft(current)) return current;
    if (current.right === undefined) return rescan();

    const walked = await walkHistoryAsync(current.right, current.right.rolloutId, hopOfRow, (id) => store.get('rollouts', [id])());
    if (E.isLeft(walked)) return walked;
    if (walked.right.end.kind === 'missing') return rescan();

    const toCatchUp: RolloutFile[] = [];
    for (const { node, rolloutId } of walked.right.chain) {
      // Never probed outside the home: the index is re-rooted when opened, this is the second line.
      if (!isInsideHome(home, node.path)) return E.left(outsideHome(home, node.path));
      const cp = await store.get('files', [node.path])();
      if (E.isLeft(cp)) return cp;
      if (cp.right === undefined || cp.right.rolloutId !== rolloutId) return rescan();
      let probe;
      try {
        if (unchangedSince(node.path, cp.right)) continue;
        probe = await probeFile(fileOf(cp.right), cp.right);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return rescan();
        return E.left(toEngineError(cp.right.path, 'probe')(err));
      }
      if (probe === 'incomplete' || probe.changed) return rescan();
      if (probe.size > cp.right.size) toCatchUp.push(fileOf(cp.right));
    }

    const cp = await store.get('files', [thread.right.path])();
    if (E.isLeft(cp)) return cp;
    const since = (cp.right?.fileTimestamp ?? '').slice(0, 10);
    if (since !== '') {
      const revisions = await discoverRevisionFiles(home, threadId, since)();
      if (E.isLeft(revisions)) return revisions;
      for (const f of revisions.right) {
        const known = await store.get('files', [f.path])();
        if (E.isLeft(known)) return known;
        if (known.right === undefined) toCatchUp.push(f);
      }
    }
    if (toCatchUp.length === 0) {
      // Files as indexed, but thread rows a killed catch-up left behind them are redone first.
      const interrupted = await threadRowsInterrupted(store);
      if (E.isLeft(interrupted)) return interrupted;
      if (!interrupted.right) return E.right({ freshness: 'fresh', summary: null });
    }
    const r = await lazyCatchUpHome(store, home, { ...options, files: toCatchUp })();
    return E.isLeft(r) ? r : E.right({ freshness: 'caughtUp', summary: r.right });
  };
