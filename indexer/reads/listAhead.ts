import * as fs from 'node:fs';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { take, useCase } from '../../domain/effect.js';
import type { IndexStore, ListAhead, ListOrder } from '../../domain/ports.js';
import { discoverRolloutFiles } from '../../adapters/driven/jsonl/home/discover.js';
import type { RolloutFile } from '../../adapters/driven/jsonl/home/discover.js';
import type { CatchUpOptions } from '../catchUp/catchUp.js';
import { indexThreadsFiles } from './threadFiles.js';

/**
 * How far a thread's list keys can lie from what its files' names and mtimes say: a session's
 * first line is written as its file is named, and its lines before the file's last write, on one
 * machine's clock; the margin also covers names written in local time (UTC-12 to UTC+14).
 */
const CLOCK_SLACK_MS = 15 * 3600_000;

/** What the files named for a thread say of its list keys before it is indexed. */
interface NamedThread {
  readonly id: string;
  /** Its earliest file name: no key of it is earlier (all start at or after its creation). */
  readonly earliestMs: number;
  /** Its latest file name: its creation (the created key) is not later. */
  readonly latestMs: number;
  /** Its files' latest mtime, once stat'ed: no line of it (the updated and recency keys) is later. */
  mtimeMs: number | undefined;
}

/** The threads of a home as its file names tell them, for lists answered ahead of a build; shared by the lists asked while it runs. */
export interface NamedThreads {
  readonly discovered: ReadonlyArray<RolloutFile>;
  readonly threads: ReadonlyArray<NamedThread & { readonly files: ReadonlyArray<RolloutFile> }>;
  /** Threads indexed for a list already. */
  readonly done: Set<string>;
}

export const namedThreadsOf = (home: string): TE.TaskEither<EngineError, NamedThreads> =>
  TE.map((discovered: ReadonlyArray<RolloutFile>): NamedThreads => {
    const byThread = new Map<string, RolloutFile[]>();
    for (const f of discovered) byThread.set(f.threadId, [...(byThread.get(f.threadId) ?? []), f]);
    const threads = [...byThread].map(([id, files]) => {
      const times = files.map((f) => Date.parse(f.fileTimestamp));
      return { id, files, earliestMs: Math.min(...times), latestMs: Math.max(...times), mtimeMs: undefined };
    });
    return { discovered, threads, done: new Set() };
  })(discoverRolloutFiles(home));

/** The best key a pending thread can have in `order`: the latest for a descending list, the earliest for an ascending one. */
const boundOf = (t: NamedThread & { readonly files: ReadonlyArray<RolloutFile> }, order: ListOrder): number => {
  // The file name's time is the key itself (its current file's, among these names).
  if (order.key === 'named') return order.direction === 'asc' ? t.earliestMs : t.latestMs;
  if (order.direction === 'asc') return t.earliestMs - CLOCK_SLACK_MS;
  if (order.key === 'created') return t.latestMs + CLOCK_SLACK_MS;
  if (t.mtimeMs === undefined) {
    let latest = t.latestMs;
    for (const f of t.files) {
      try {
        latest = Math.max(latest, fs.statSync(f.path).mtimeMs);
      } catch {
        // gone since listed: its name still bounds it
      }
    }
    t.mtimeMs = latest;
  }
  return t.mtimeMs + CLOCK_SLACK_MS;
};

/**
 * A list answered ahead of the build running behind: the threads named by the home's files are
 * indexed best bound first (each with its files and its bases', `threadFiles.ts`), until the
 * list's caller finds its page settled (`listThreads`).
 */
export const listAheadOver = (
  store: IndexStore,
  home: string,
  options: CatchUpOptions,
  named: NamedThreads,
  order: ListOrder,
): ListAhead => {
  const sign = order.direction === 'desc' ? -1 : 1;
  const pending = () =>
    named.threads
      .filter((t) => !named.done.has(t.id))
      .map((t) => ({ id: t.id, bound: boundOf(t, order) }))
      .sort((a, b) => sign * (a.bound - b.bound));
  const ids = new Set(named.threads.map((t) => t.id));
  return {
    bound: () => pending()[0]?.bound ?? null,
    pending: (threadId) => ids.has(threadId) && !named.done.has(threadId),
    next: (count) =>
      useCase(async () => {
        const batch = pending()
          .slice(0, count)
          .map((t) => t.id);
        await take(indexThreadsFiles(store, home, batch, options, named.discovered));
        for (const id of batch) named.done.add(id);
      }),
  };
};
