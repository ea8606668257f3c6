import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { invalidArgument } from '../../domain/errors.js';
import type { HistoryIndexer, IndexStore } from '../../domain/ports.js';
import type { RolloutFile } from '../jsonl/discover.js';
import { parseRolloutFileName } from '../jsonl/rolloutFileName.js';
import { isInsideHome, outsideHome } from '../jsonl/insideHome.js';
import { catchUpHome } from './catchUpWhenNeeded.js';
import { ensureThreadFresh } from './freshness.js';
import type { CatchUpOptions } from './catchUp.js';

/** The index of one CODEX_HOME kept current with its files: read-repair before a read, catch-up after a write. */
export const lmdbHistoryIndexer = (store: IndexStore, home: string, options: CatchUpOptions = {}): HistoryIndexer => ({
  refreshThread: (threadId) => TE.map(() => undefined)(ensureThreadFresh(store, home, threadId, options)),
  refreshAll: () => TE.map(() => undefined)(catchUpHome(store, home, options)),
  catchUp: (paths) => async () => {
    const files: RolloutFile[] = [];
    for (const path of paths) {
      if (!isInsideHome(home, path)) return E.left(outsideHome(home, path));
      const name = parseRolloutFileName(nodePath.basename(path));
      if (name === undefined) return E.left(invalidArgument('path', `not a rollout file name: ${path}`));
      const archived = nodePath.basename(nodePath.dirname(path)) === 'archived_sessions';
      const base = { path, archived, fileTimestamp: name.fileTimestamp, threadId: name.threadId };
      files.push(name.revisionId === undefined ? base : { ...base, revisionId: name.revisionId });
    }
    const r = await catchUpHome(store, home, { ...options, files })();
    return E.isLeft(r) ? r : E.right(undefined);
  },
});
