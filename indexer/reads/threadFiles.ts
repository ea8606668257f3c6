import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { take, useCase } from '../../domain/effect.js';
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
  useCase(async () => {
    const indexed = await take(indexThreadsFiles(store, home, [threadId], options, discovered));
    return indexed === null ? null : { threadId, ...indexed };
  });

/** `indexThreadFiles` for several threads at once, over the home's files as `discovered` lists them (listed here when absent). */
export const indexThreadsFiles = (
  store: IndexStore,
  home: string,
  threadIds: ReadonlyArray<string>,
  options: CatchUpOptions = {},
  discovered?: ReadonlyArray<RolloutFile>,
): TE.TaskEither<EngineError, Omit<ThreadFilesIndexed, 'threadId'> | null> =>
  useCase(async () => {
    const t0 = process.hrtime.bigint();
    // An id that cannot be in a file name finds no file: not worth listing the home for (every
    // unknown id of a request did, a few ms each on a small home).
    if (!threadIds.some(isFileThreadId)) return null;
    const all = discovered ?? (await take(discoverRolloutFiles(home)));
    const wanted = new Set(threadIds);
    const taken = new Set<string>();
    let bytes = 0;
    let followedBases = false;
    for (;;) {
      const files = namedFor(all, wanted).filter((f) => !taken.has(f.path));
      if (files.length === 0) break;
      for (const f of files) taken.add(f.path);
      for (let round = 0; round < CONFLICT_ROUNDS; round++) {
        const r = await take(lazyCatchUpHome(store, home, { ...options, files }));
        bytes += r.bytes;
        if (r.conflicts === 0) break;
      }
      let more = false;
      for (const id of threadIds) {
        const base = await missingBase(store, id);
        if (base === null || wanted.has(base)) continue;
        wanted.add(base);
        more = true;
      }
      if (!more) break;
      followedBases = true;
    }
    if (taken.size === 0) return null;
    let continues = followedBases;
    for (let i = 0; !continues && i < threadIds.length; i++) continues = await continuesAnother(store, threadIds[i]!);
    if (continues) {
      // The threads' rows may have been derived before their bases were indexed (a fork's preview
      // is its base's first message), by this walk or while the home's backfill was indexing the
      // base at the same time: derived again now that the whole history is there.
      await take(lazyCatchUpHome(store, home, { ...options, files: namedFor(all, new Set(threadIds)) }));
    }
    return { files: taken.size, bytes, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  });

/*
 * The helpers below run inside `indexThreadsFiles`'s use case: a failed read stops it (`take`).
 */

/** The rollout row of the thread's current file; undefined when the index holds no such thread or row. */
const currentRolloutOf = async (store: IndexStore, threadId: string): Promise<RolloutRow | undefined> => {
  const thread = await take(store.get('threads', [threadId]));
  return thread === undefined ? undefined : take(store.get('rollouts', [thread.rolloutId]));
};

/** The rollout id the thread's history continues that the index does not hold yet; null when it holds all of it (or not the thread). */
const missingBase = async (store: IndexStore, threadId: string): Promise<string | null> => {
  const current = await currentRolloutOf(store, threadId);
  if (current === undefined) return null;
  const walked = await take(
    walkHistoryAsync(current, current.rolloutId, hopOfRow, (id) => store.get('rollouts', [id])()),
  );
  return walked.end.kind === 'missing' ? walked.end.rolloutId : null;
};

/** Whether the thread's current file continues another (a fork's or revision's base). */
const continuesAnother = async (store: IndexStore, threadId: string): Promise<boolean> => {
  const current = await currentRolloutOf(store, threadId);
  return current?.base !== null && current?.base !== undefined;
};
