import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { RolloutRow } from '../../domain/index/rows.js';
import { walkHistoryAsync } from '../../domain/history/walk.js';
import { hopOfRow } from '../../domain/history/historyBase.js';
import { isFileThreadId } from '../../domain/thread/threadId.js';
import { discoverRolloutFiles } from '../../adapters/driven/jsonl/home/discover.js';
import type { RolloutFile } from '../../adapters/driven/jsonl/home/discover.js';
import { lazyCatchUpHome } from '../catchUp/lazyCatchUp.js';
import type { CatchUpOptions } from '../catchUp/catchUp.js';

/** What indexing one thread on its own did. */
export interface ThreadFilesIndexed {
  readonly threadId: string;
  /** Its files, and its bases' (a fork's or revision's history below the cut). */
  readonly files: number;
  readonly bytes: number;
  readonly seconds: number;
}

/**
 * Catching up a file another catch-up (the home's backfill) is indexing at the same time loses to
 * it for that file (commits are per file, on the checkpoint they were read from); it is caught up
 * again from where the other left it, a few times at most.
 */
const CONFLICT_ROUNDS = 8;

/** Files named for `ids`: a file's name carries its thread id and, for a revision, its rollout id. */
const namedFor = (files: ReadonlyArray<RolloutFile>, ids: ReadonlySet<string>): RolloutFile[] =>
  files.filter((f) => ids.has(f.threadId) || (f.revisionId !== undefined && ids.has(f.revisionId)));

/**
 * Index one thread from its own files, before (or without) the home-wide backfill: the files are
 * found by name, listing the folders with no reads (as Codex's own lookup does), and only they are
 * caught up; a history that continues a file not yet indexed (a fork's or revision's base) has that
 * file found by name the same way. null: no file is named for the thread (the caller falls back to
 * a scan). When it answers, every file found is indexed to the end it had when probed, even one the
 * backfill was in the middle of.
 */
export const indexThreadFiles = (
  store: IndexStore,
  home: string,
  threadId: string,
  options: CatchUpOptions = {},
  discovered?: ReadonlyArray<RolloutFile>,
): TE.TaskEither<EngineError, ThreadFilesIndexed | null> =>
  TE.map((r: Omit<ThreadFilesIndexed, 'threadId'> | null) => (r === null ? null : { threadId, ...r }))(indexThreadsFiles(store, home, [threadId], options, discovered));

/** `indexThreadFiles` for several threads at once, over the home's files as `discovered` lists them (listed here when absent). */
export const indexThreadsFiles =
  (
    store: IndexStore,
    home: string,
    threadIds: ReadonlyArray<string>,
    options: CatchUpOptions = {},
    discovered?: ReadonlyArray<RolloutFile>,
  ): TE.TaskEither<EngineError, Omit<ThreadFilesIndexed, 'threadId'> | null> =>
  async () => {
    const t0 = process.hrtime.bigint();
    // An id that cannot be in a file name finds no file: not worth listing the home for (every
    // unknown id of a request did, a few ms each on a small home).
    if (!threadIds.some(isFileThreadId)) return E.right(null);
    const all = discovered !== undefined ? E.right(discovered) : await discoverRolloutFiles(home)();
    if (E.isLeft(all)) return all;
    const wanted = new Set(threadIds);
    const taken = new Set<string>();
    let bytes = 0;
    let followedBases = false;
    for (;;) {
      const files = namedFor(all.right, wanted).filter((f) => !taken.has(f.path));
      if (files.length === 0) break;
      for (const f of files) taken.add(f.path);
      for (let round = 0; round < CONFLICT_ROUNDS; round++) {
        const r = await lazyCatchUpHome(store, home, { ...options, files })();
        if (E.isLeft(r)) return r;
        bytes += r.right.bytes;
        if (r.right.conflicts === 0) break;
      }
      let more = false;
      for (const id of threadIds) {
        const base = await missingBase(store, id);
        if (E.isLeft(base)) return base;
        if (base.right === null || wanted.has(base.right)) continue;
        wanted.add(base.right);
        more = true;
      }
      if (!more) break;
      followedBases = true;
    }
    if (taken.size === 0) return E.right(null);
    let continues = followedBases;
    for (let i = 0; !continues && i < threadIds.length; i++) {
      const based = await continuesAnother(store, threadIds[i]!);
      if (E.isLeft(based)) return based;
      continues = based.right;
    }
    if (continues) {
      // The threads' rows may have been derived before their bases were indexed (a fork's preview
      // is its base's first message), by this walk or while the home's backfill was indexing the
      // base at the same time: derived again now that the whole history is there.
      const again = await lazyCatchUpHome(store, home, { ...options, files: namedFor(all.right, new Set(threadIds)) })();
      if (E.isLeft(again)) return again;
    }
    return E.right({ files: taken.size, bytes, seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
  };

/** The rollout row of the thread's current file; undefined when the index holds no such thread or row. */
const currentRolloutOf = async (store: IndexStore, threadId: string): Promise<E.Either<EngineError, RolloutRow | undefined>> => {
  const thread = await store.get('threads', [threadId])();
  if (E.isLeft(thread) || thread.right === undefined) return E.isLeft(thread) ? thread : E.right(undefined);
  return store.get('rollouts', [thread.right.rolloutId])();
};

/** The rollout id the thread's history continues that the index does not hold yet; null when it holds all of it (or not the thread). */
const missingBase = async (store: IndexStore, threadId: string): Promise<E.Either<EngineError, string | null>> => {
  const current = await currentRolloutOf(store, threadId);
  if (E.isLeft(current) || current.right === undefined) return E.isLeft(current) ? current : E.right(null);
  const walked = await walkHistoryAsync(current.right, current.right.rolloutId, hopOfRow, (id) => store.get('rollouts', [id])());
  if (E.isLeft(walked)) return walked;
  return E.right(walked.right.end.kind === 'missing' ? walked.right.end.rolloutId : null);
};

/** Whether the thread's current file continues another (a fork's or revision's base). */
const continuesAnother = async (store: IndexStore, threadId: string): Promise<E.Either<EngineError, boolean>> =>
  E.map((current: RolloutRow | undefined) => current?.base !== null && current?.base !== undefined)(await currentRolloutOf(store, threadId));
