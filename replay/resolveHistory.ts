import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import { corrupt, notFound } from '../domain/errors.js';
import type { RolloutFileRef, RolloutStore } from '../domain/ports.js';
import type { SessionMetaPayload } from '../domain/rollout/kinds/sessionMeta.js';
import type { HistorySegment } from '../domain/history/historyBase.js';
import { currentFileOf, rolloutIdOf } from '../domain/history/historyBase.js';

export interface ResolvedThread {
  /** The file that holds the thread now (newest revision, or the fork's own file). */
  readonly current: RolloutFileRef;
  readonly meta: SessionMetaPayload;
  /** Base first; the last segment is `current`, read to its end. */
  readonly segments: ReadonlyArray<HistorySegment>;
}

/** Hops are bounded so a corrupt cycle of `history_base` references fails instead of looping. */
const MAX_HOPS = 10_000;

/** Find a thread's current file and resolve its `history_base` chain through every hop. */
export const resolveThread = (
  store: RolloutStore,
  files: ReadonlyArray<RolloutFileRef>,
  threadId: string,
): TE.TaskEither<EngineError, ResolvedThread> => async () => {
  const byRollout = new Map<string, RolloutFileRef>();
  for (const f of files) {
    const id = rolloutIdOf(f);
    const prev = byRollout.get(id);
    // Prefer the active copy of a rollout over an archived one.
    if (prev === undefined || (prev.archived && !f.archived)) byRollout.set(id, f);
  }
  const current = currentFileOf(files.filter((f) => f.threadId === threadId));
  if (current === undefined) return E.left(notFound('thread', threadId));
  const meta = await store.readSessionMeta(current.path)();
  if (E.isLeft(meta)) return meta;

  const segments: HistorySegment[] = [
    { path: current.path, rolloutId: rolloutIdOf(current), endByteOffset: undefined, endOrdinalExclusive: undefined },
  ];
  const seen = new Set<string>([rolloutIdOf(current)]);
  let hop = meta.right.history_base ?? undefined;
  let from = current.path;
  while (hop) {
    if (seen.has(hop.thread_id) || seen.size > MAX_HOPS) {
      return E.left(corrupt(from, 0, `history_base cycle through rollout ${hop.thread_id}`));
    }
    seen.add(hop.thread_id);
    const base = byRollout.get(hop.thread_id);
    if (base === undefined) return E.left(notFound('history base rollout', hop.thread_id));
    segments.unshift({
      path: base.path,
      rolloutId: hop.thread_id,
      endByteOffset: hop.end_byte_offset,
      endOrdinalExclusive: hop.end_ordinal_exclusive,
    });
    const baseMeta = await store.readSessionMeta(base.path)();
    if (E.isLeft(baseMeta)) return baseMeta;
    from = base.path;
    hop = baseMeta.right.history_base ?? undefined;
  }
  return E.right({ current, meta: meta.right, segments });
};
