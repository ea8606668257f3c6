import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';
import { listTurns } from './listTurns.js';
import type { TurnPage } from './listTurns.js';
import type { MutationPorts } from '../ports.js';
import { readTokenUsage } from '../tokens/readTokenUsage.js';
import { findTurn, lineageToChange } from '../internal/lineage.js';
import { take, useCase } from '../internal/useCase.js';
import type { ServerNotification } from '../../protocol/notifications.js';

/** One live notification, as Codex names and shapes it for the threads it runs. */
export type LiveNotification = ServerNotification<'turn/started' | 'item/completed' | 'thread/tokenUsage/updated' | 'turn/completed'>;

interface SeenTurn {
  readonly settled: boolean;
  readonly items: ReadonlySet<string>;
}

/** What a follower of a thread has been told: its last turns (each turn's items told, whether it ended) and its token usage. */
export interface TailState {
  readonly turns: ReadonlyMap<string, SeenTurn>;
  readonly tokenUsage: string | null;
}

/** Turns read per page while looking back for the last turn already told in full. */
const PAGE = 8;

/** An item is told once it is done (a command still running is told when it ends), as Codex's `item/completed`. */
const isDone = (item: ThreadItem): boolean => (item as { status?: unknown }).status !== 'inProgress';

/**
 * Which of these turns have ended in the rollout (a `task_complete` or `turn_aborted`): the read
 * API shows a turn that never ended as `interrupted` (nothing runs it in this process, as Codex
 * says of a thread it has not loaded), but a follower is told it ended only once it has.
 */
const endedOf = async (ports: MutationPorts, threadId: string, turns: ReadonlyArray<Turn>): Promise<ReadonlySet<string>> => {
  const lineage = await lineageToChange(ports.index, threadId);
  const ended = new Set<string>();
  for (const t of turns) if ((await findTurn(ports.index, lineage, t.id))?.ref.status !== 'inProgress') ended.add(t.id);
  return ended;
};

/** The turns not yet told in full, oldest first: read newest first until a settled turn already told. */
const untoldTurns = async (ports: MutationPorts, threadId: string, seen: TailState): Promise<Turn[]> => {
  const out: Turn[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page: TurnPage = await take(listTurns(ports, { threadId, cursor, limit: PAGE, sortDirection: 'desc', itemsView: 'full' }));
    for (const turn of page.data) {
      if (seen.turns.get(turn.id)?.settled === true) return out.reverse();
      out.push(turn);
    }
    if (page.nextCursor === null) return out.reverse();
    cursor = page.nextCursor;
  }
};

/** The final agent message Codex's `turn/completed` carries (its summary without the user message), read with the summary view `thread/turns/list` gives. */
const completedTurn = async (ports: MutationPorts, threadId: string, turn: Turn, newer: number): Promise<Turn> => {
  const page: TurnPage = await take(listTurns(ports, { threadId, limit: newer + 1, sortDirection: 'desc', itemsView: 'summary' }));
  const summary = page.data.find((t) => t.id === turn.id);
  const items = (summary?.items ?? []).filter((i) => i.type === 'agentMessage');
  return { ...turn, items, itemsView: items.length === 0 ? 'notLoaded' : 'summary' };
};

/**
 * A follower's first look at a thread: everything there is counts as told (Codex tells a client
 * that subscribes only what happens from then on).
 */
export const startTail = (ports: MutationPorts, threadId: string): TE.TaskEither<EngineError, TailState> =>
  useCase(async () => {
    // Back to the last settled turn: the scan of a later look stops there.
    const turns = new Map<string, SeenTurn>();
    let cursor: string | null = null;
    for (let settled = false; !settled;) {
      const page: TurnPage = await take(listTurns(ports, { threadId, cursor, limit: PAGE, sortDirection: 'desc', itemsView: 'full' }));
      const ended = await endedOf(ports, threadId, page.data);
      for (const t of page.data) {
        settled = ended.has(t.id);
        turns.set(t.id, { settled, items: new Set(t.items.filter(isDone).map((i) => i.id)) });
        if (settled) break;
      }
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    const usage = await take(readTokenUsage(ports, { threadId, fresh: true, forkReplay: true }));
    return { turns: new Map([...turns].reverse()), tokenUsage: usage === null ? null : JSON.stringify(usage) };
  });

/**
 * What landed in a thread since `seen`, as Codex's live notifications: for each turn, oldest
 * first, `turn/started` (the turn as `thread/turns/list` renders it, still running: no items,
 * `inProgress`), `item/completed` for each item done (the item `thread/turns/list` full gives),
 * then — once the turn ended — the token usage it reached (`thread/tokenUsage/updated`, as
 * `thread/resume` replays it) and `turn/completed` (the turn with its final agent message, as Codex
 * sends it). A usage counted in a turn still running is told when it changes. The thread is
 * caught up first. The renderings are the read API's own: nothing here renders an item.
 */
export const tailThread = (ports: MutationPorts, threadId: string, seen: TailState): TE.TaskEither<EngineError, { notifications: LiveNotification[]; seen: TailState }> =>
  useCase(async () => {
    await take(ports.indexer.refreshThread(threadId));
    const turns = await untoldTurns(ports, threadId, seen);
    const ended = await endedOf(ports, threadId, turns);
    const usage = await take(readTokenUsage(ports, { threadId, fresh: true, forkReplay: true }));
    const usageText = usage === null ? null : JSON.stringify(usage);
    let usageTold = usageText === seen.tokenUsage;
    const out: LiveNotification[] = [];
    // Kept: the newest settled turn told before (where the next scan stops), then the turns looked at now.
    const looked = new Set(turns.map((t) => t.id));
    const next = new Map<string, SeenTurn>([...seen.turns].filter(([id, s]) => s.settled && !looked.has(id)).slice(-1));
    for (const [at, turn] of turns.entries()) {
      const before = seen.turns.get(turn.id);
      if (before === undefined)
        out.push({
          method: 'turn/started',
          params: { threadId, turn: { ...turn, items: [], itemsView: 'notLoaded', status: 'inProgress', error: null, completedAt: null, durationMs: null } },
        });
      const told = new Set(before?.items ?? []);
      for (const item of turn.items) {
        if (told.has(item.id) || !isDone(item)) continue;
        told.add(item.id);
        out.push({ method: 'item/completed', params: { item, threadId, turnId: turn.id, contentTokenCount: null, completedAtMs: item.completedAtMs } });
      }
      const settled = ended.has(turn.id);
      if (settled) {
        if (!usageTold && usage !== null && usage.turnId === turn.id) {
          out.push({ method: 'thread/tokenUsage/updated', params: usage });
          usageTold = true;
        }
        out.push({ method: 'turn/completed', params: { threadId, turn: await completedTurn(ports, threadId, turn, turns.length - 1 - at) } });
      }
      next.set(turn.id, { settled, items: told });
    }
    if (!usageTold && usage !== null) out.push({ method: 'thread/tokenUsage/updated', params: usage });
    return { notifications: out, seen: { turns: next, tokenUsage: usageText } };
  });
