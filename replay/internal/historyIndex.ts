import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { corrupt, notFound } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { FileCheckpoint, RolloutRow, ThreadRow, TurnRow } from '../../domain/index/rows.js';
import type { HistoryPoint, TurnRef } from '../../domain/history/cut.js';
import { walkHistoryAsync } from '../../domain/history/walk.js';
import { hopOfRow } from '../../projections/threadRows.js';

/**
 * A thread's logical history as the index holds it: its rollout files base first, each with the
 * part of it that belongs to the history. Every lookup here is a key get or a short range scan,
 * so mutations cost the same on a 1 GB thread as on a small one.
 */
export interface Segment {
  readonly rolloutId: string;
  readonly path: string;
  readonly row: RolloutRow;
  /** The history holds lines [0, endLine) of this file… */
  readonly endLine: number;
  /** …which end at this byte. */
  readonly endByteOffset: number;
  /** Paginated: `ordinal` of the file's first line (its session_meta); null in legacy mode. */
  readonly firstOrdinal: number | null;
}

export interface ThreadChain {
  readonly thread: ThreadRow;
  readonly mode: 'legacy' | 'paginated';
  /** Base first; the last one is the thread's current file, whole. */
  readonly segments: ReadonlyArray<Segment>;
}

const run = async <A>(te: () => Promise<E.Either<EngineError, A>>): Promise<A> => {
  const r = await te();
  if (E.isLeft(r)) throw r.left;
  return r.right;
};

/** Thrown EngineErrors back into an Either (the lookups below read as straight-line code). */
export const attempt = async <A>(f: () => Promise<A>): Promise<E.Either<EngineError, A>> => {
  try {
    return E.right(await f());
  } catch (err) {
    if (err !== null && typeof err === 'object' && '_tag' in err) return E.left(err as EngineError);
    throw err;
  }
};

const checkpointOf = async (store: IndexStore, path: string): Promise<FileCheckpoint> => {
  const cp = await run(store.get('files', [path]));
  if (cp === undefined) throw notFound('indexed rollout file', path);
  return cp;
};

/**
 * Load a thread's chain of rollout files from the index (the thread must be indexed): its current
 * history, or the one `rolloutId` (one of its files) holds.
 */
export const loadChain = async (store: IndexStore, threadId: string, rolloutId?: string): Promise<ThreadChain> => {
  const thread = await run(store.get('threads', [threadId]));
  if (thread === undefined) throw notFound('thread', threadId);
  const head = rolloutId ?? thread.rolloutId;
  const current = await run(store.get('rollouts', [head]));
  if (current === undefined) throw notFound('history rollout', head);
  const cp = await checkpointOf(store, current.path);
  const firstOrdinalOf = (row: RolloutRow): number | null => (row.mode === 'paginated' ? (row.base?.endOrdinalExclusive ?? 0) : null);
  const walked = await run(() => walkHistoryAsync(current, current.rolloutId, hopOfRow, (id) => store.get('rollouts', [id])()));
  const { chain, end } = walked;
  if (end.kind === 'cycle') throw corrupt(chain[0]!.node.path, 0, `history_base cycle through rollout ${end.rolloutId}`);
  if (end.kind === 'missing') throw notFound('history base rollout', end.rolloutId);
  const segments: Segment[] = chain.map(({ node, cut }) => {
    const first = firstOrdinalOf(node);
    // The current file is whole (to its checkpoint); each base ends at the cut above it.
    if (cut === null) return { rolloutId: node.rolloutId, path: node.path, row: node, endLine: cp.line, endByteOffset: cp.byteOffset, firstOrdinal: first };
    return {
      rolloutId: node.rolloutId,
      path: node.path,
      row: node,
      endLine: first === null ? Number.MAX_SAFE_INTEGER : cut.endOrdinalExclusive - first,
      endByteOffset: cut.endByteOffset,
      firstOrdinal: first,
    };
  });
  return { thread, mode: current.mode, segments };
};

/** The end of the history: just past the current file's last indexed line. */
export const endOf = (chain: ThreadChain): HistoryPoint => {
  const s = chain.segments[chain.segments.length - 1]!;
  return { rolloutId: s.rolloutId, line: s.endLine, byteOffset: s.endByteOffset, ordinal: s.firstOrdinal === null ? null : s.firstOrdinal + s.endLine };
};

const inSegment = (s: Segment, t: TurnRow, keyLine: number): boolean => {
  const anchor = t.anchor ?? t.firstItem;
  return keyLine < s.endLine && (anchor === null || anchor.byteOffset < s.endByteOffset);
};

export const turnRef = (s: Segment, t: TurnRow, keyLine: number): TurnRef => {
  const a = t.anchor ?? t.firstItem;
  return {
    id: t.id,
    rootTurnId: t.rootTurnId,
    status: t.status,
    startedAt: t.startedAt,
    anchor: { rolloutId: s.rolloutId, line: a?.line ?? keyLine, byteOffset: a?.byteOffset ?? 0, ordinal: a?.ordinal ?? null },
  };
};

export interface FoundTurn {
  readonly segment: number;
  readonly keyLine: number;
  readonly ref: TurnRef;
}

/** A visible turn by id (the newest segment holding it wins). */
export const findTurn = async (store: IndexStore, chain: ThreadChain, turnId: string): Promise<FoundTurn | undefined> => {
  for (let i = chain.segments.length - 1; i >= 0; i--) {
    const s = chain.segments[i]!;
    const keyLine = await run(store.get('turnIds', [s.rolloutId, turnId]));
    if (keyLine === undefined || keyLine >= s.endLine) continue;
    const t = await run(store.get('turns', [s.rolloutId, keyLine]));
    if (t !== undefined && inSegment(s, t, keyLine)) return { segment: i, keyLine, ref: turnRef(s, t, keyLine) };
  }
  return undefined;
};

/** The first visible turn after the one at (`segment`, `keyLine`). */
export const nextTurn = async (store: IndexStore, chain: ThreadChain, segment: number, keyLine: number): Promise<TurnRef | undefined> => {
  for (let i = segment; i < chain.segments.length; i++) {
    const s = chain.segments[i]!;
    const rows = await run(store.range('turns', [s.rolloutId], i === segment ? { after: [s.rolloutId, keyLine], limit: 1 } : { limit: 1 }));
    const r = rows[0];
    if (r !== undefined && inSegment(s, r.value, r.key[1])) return turnRef(s, r.value, r.key[1]);
  }
  return undefined;
};

/** The last `n` visible turns, oldest first. */
export const lastTurns = async (store: IndexStore, chain: ThreadChain, n: number): Promise<TurnRef[]> => {
  const out: TurnRef[] = [];
  for (let i = chain.segments.length - 1; i >= 0 && out.length < n; i--) {
    const s = chain.segments[i]!;
    const bound = Math.min(s.endLine, Number.MAX_SAFE_INTEGER);
    const rows = await run(store.range('turns', [s.rolloutId], { reverse: true, after: [s.rolloutId, bound], limit: n - out.length }));
    for (const r of rows) if (inSegment(s, r.value, r.key[1])) out.push(turnRef(s, r.value, r.key[1]));
  }
  return out.reverse();
};

/** The last row of a per-line table (`settingsLines`, `tokenCounts`, `items`) below the history's end. */
export const lastRowBefore = async <T extends 'settingsLines' | 'tokenCounts' | 'items'>(
  store: IndexStore,
  chain: ThreadChain,
  table: T,
  end?: { readonly segment: number; readonly line: number },
): Promise<{ readonly segment: Segment; readonly line: number; readonly value: import('../../domain/index/rows.js').RowOf<T> } | undefined> => {
  const from = end?.segment ?? chain.segments.length - 1;
  for (let i = from; i >= 0; i--) {
    const s = chain.segments[i]!;
    const bound = i === from && end !== undefined ? Math.min(end.line, s.endLine) : s.endLine;
    const rows = await run(store.range(table, [s.rolloutId], { reverse: true, after: [s.rolloutId, bound], limit: 1 }));
    const r = rows[0];
    if (r !== undefined) return { segment: s, line: r.key[1] as number, value: r.value };
  }
  return undefined;
};

/** The segment index of a history point (its rollout), or undefined. */
export const segmentOf = (chain: ThreadChain, p: HistoryPoint): number | undefined => {
  const i = chain.segments.findIndex((s) => s.rolloutId === p.rolloutId);
  return i < 0 ? undefined : i;
};
