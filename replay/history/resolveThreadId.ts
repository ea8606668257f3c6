import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { ThreadRow } from '../../domain/index/rows.js';
import type { HistoryIndexer, IndexStore } from '../../domain/ports.js';
import { hyphenatedPrefix, isThreadIdPrefix } from '../../domain/thread/threadId.js';
import { stop, take, useCase } from '../../domain/effect.js';

/** What the resolver reads: the index's thread rows, caught up as `thread/list` catches them up. */
export interface ThreadIdPorts {
  readonly index: IndexStore;
  readonly indexer: Pick<HistoryIndexer, 'refreshAll'>;
}

/** How many threads an ambiguous prefix lists (one more is read, to say there are more). */
export const AMBIGUOUS_SHOWN = 10;

/** A thread an ambiguous prefix may mean, as a person tells threads apart: id, name or preview, date, archived. */
export interface ThreadCandidate {
  readonly id: string;
  readonly title: string;
  readonly createdAt: number;
  readonly archived: boolean;
}

const candidateOf = (row: ThreadRow): ThreadCandidate => ({
  id: row.id,
  title: row.name ?? row.preview,
  createdAt: row.createdAt,
  archived: row.archived,
});

/**
 * The thread ids (live and archived) that start with `prefix`, in id order: one range read of
 * the index's `threads` table from the prefix on, stopped at the first id past it (never a walk
 * of the files, nor of the table). At most `limit` ids.
 */
export const threadsStartingWith = async (
  index: IndexStore,
  prefix: string,
  limit: number,
): Promise<ThreadCandidate[]> => {
  const rows = await take(index.range('threads', [], { from: [prefix], limit }));
  return rows.filter((r) => r.key[0].startsWith(prefix)).map((r) => candidateOf(r.value));
};

const day = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10);

/** One line of an ambiguous prefix's refusal: the id, its date, its title cut to one short line. */
const candidateLine = (c: ThreadCandidate): string => {
  const title = c.title.replace(/\s+/g, ' ').trim();
  return `  ${c.id}  ${day(c.createdAt)}  ${title.length > 60 ? `${title.slice(0, 59)}…` : title}${c.archived ? '  (archived)' : ''}`;
};

/** The id a prefix stands for, in an index already caught up; refused as `resolveThreadId` says. */
const resolvedIn = async (index: IndexStore, given: string): Promise<string> => {
  // Ids are written in lowercase and hyphenated (uuid's `to_string`, Codex's rollout names and metas).
  const found = await threadsStartingWith(index, hyphenatedPrefix(given), AMBIGUOUS_SHOWN + 1);
  if (found.length === 0)
    return stop({ _tag: 'NotFound', what: 'thread', id: given, words: `no thread id starts with ${given}` });
  if (found.length === 1) return found[0]!.id;
  const more = found.length > AMBIGUOUS_SHOWN ? ['  … and more: give more of the id'] : [];
  return stop(
    rejected(
      [
        `thread id prefix ${given} is ambiguous: ${found.length > AMBIGUOUS_SHOWN ? `more than ${AMBIGUOUS_SHOWN}` : found.length} threads start with it`,
        ...found.slice(0, AMBIGUOUS_SHOWN).map(candidateLine),
        ...more,
      ].join('\n'),
    ),
  );
};

/**
 * The thread ids `given` stand for, in order: each thread id as it is (the method checks it and
 * looks it up, as `serve` does), or a prefix of one (a run of hex digits and hyphens, shorter
 * than an id: what `threads` lists, cut), answered by the one thread whose id starts with it
 * after the index is caught up with the home (`refreshAll` once, as `thread/list` does). No
 * thread: NotFound; more than one: refused, the candidates listed (id, date, name or preview).
 * Anything else (`nope`) is answered as given: the method refuses it in Codex's words.
 */
export const resolveThreadIds = (
  ports: ThreadIdPorts,
  given: ReadonlyArray<string>,
): TE.TaskEither<EngineError, string[]> =>
  useCase(async () => {
    if (!given.some(isThreadIdPrefix)) return [...given];
    await take(ports.indexer.refreshAll());
    const out: string[] = [];
    for (const id of given) out.push(isThreadIdPrefix(id) ? await resolvedIn(ports.index, id) : id);
    return out;
  });

/** One thread id, or the unique start of one (`resolveThreadIds`). */
export const resolveThreadId = (ports: ThreadIdPorts, given: string): TE.TaskEither<EngineError, string> =>
  TE.map((ids: string[]) => ids[0]!)(resolveThreadIds(ports, [given]));

/** Where the index has a thread: under sessions/ (`live`), in archived_sessions/, or nowhere. */
export type ThreadStanding = 'live' | 'archived' | 'unknown';

/** A thread's standing by its row (one read of the index): what a refusal naming it may add, where to find it. */
export const threadStanding = (
  ports: Pick<ThreadIdPorts, 'index'>,
  threadId: string,
): TE.TaskEither<EngineError, ThreadStanding> =>
  useCase(async () => {
    const row = await take(ports.index.get('threads', [threadId]));
    return row === undefined ? 'unknown' : row.archived ? 'archived' : 'live';
  });
