import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';
import { listTurns } from './listTurns.js';
import type { TurnPage } from './listTurns.js';
import type { MutationPorts } from '../ports.js';
import { readTokenUsage } from '../tokens/readTokenUsage.js';
import { findTurn, lineageToChange, rolloutsNumberedOtherwise } from '../internal/lineage.js';
import { openThread } from '../internal/openThread.js';
import { walkTurns } from '../internal/turnWalk.js';
import type { WalkedTurn } from '../internal/turnWalk.js';
import { apiTurn, turnItemRows, turnsWithItems } from '../internal/turnView.js';
import { readItems } from '../internal/itemContent.js';
import type { ItemRow } from '../../domain/index/rows.js';
import type { ThreadLineage } from '../../domain/history/lineage.js';
import { take, useCase } from '../../domain/effect.js';
import type { ServerNotification } from '../../protocol/notifications.js';
import type { ThreadTokenUsageUpdated } from '../../domain/tokens/threadTokenUsage.js';

/** One live notification, as Codex names and shapes it for the threads it runs. */
export type LiveNotification = ServerNotification<
  'turn/started' | 'item/completed' | 'thread/tokenUsage/updated' | 'turn/completed'
>;

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
const endedOf = async (
  ports: MutationPorts,
  threadId: string,
  turns: ReadonlyArray<Turn>,
): Promise<ReadonlySet<string>> => {
  const lineage = await lineageToChange(ports.index, threadId);
  const ended = new Set<string>();
  for (const t of turns) if ((await findTurn(ports.index, lineage, t.id))?.ref.status !== 'inProgress') ended.add(t.id);
  return ended;
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
      const page: TurnPage = await take(
        listTurns(ports, { threadId, cursor, limit: PAGE, sortDirection: 'desc', itemsView: 'full' }),
      );
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

/** One bounded step of a look (`tailThread`): its notifications, and what the followers have been told once they are sent. */
export interface TailStep {
  readonly notifications: LiveNotification[];
  readonly seen: TailState;
  /** About how many bytes of rollout text it was built from (items read, a header each). */
  readonly bytes: number;
}

/** A look at a thread, taken step by step: `next` builds the next step (Right null once all that landed is told). */
export interface TailLook {
  readonly next: TE.TaskEither<EngineError, TailStep | null>;
}

/**
 * About how many bytes of rollout text (the lines its items are read from) one step holds: a
 * look's memory is one step, whatever landed (an item longer than that is a step of its own).
 */
export const TAIL_STEP_BYTES = 512 * 1024;

/** What a notification without an item's text counts for in a step's bytes (a turn's header). */
const NOTIFICATION_BYTES = 1024;

/** An item row's rollout bytes. */
const rowBytes = (r: ItemRow): number => r.ranges.reduce((n, [, length]) => n + length, 0);

/**
 * The oldest turn not yet told in full: read newest first, turn rows only (no item), until a
 * settled turn already told. Only the last one read is kept, so a burst of any length costs one row.
 */
const oldestUntold = async (
  ports: MutationPorts,
  lineage: ThreadLineage,
  seen: TailState,
): Promise<WalkedTurn | undefined> => {
  let oldest: WalkedTurn | undefined;
  const walk = walkTurns(ports, lineage, 'desc', null);
  try {
    for await (const t of walk) {
      if (seen.turns.get(t.row.id)?.settled === true) break;
      oldest = t;
    }
  } finally {
    await walk.return(undefined);
  }
  return oldest;
};

/** The turn Codex's `turn/completed` carries: its final agent message (its summary without the user message), as the summary view of `thread/turns/list` gives it. */
const completedTurn = async (ports: MutationPorts, lineage: ThreadLineage, t: WalkedTurn): Promise<Turn> => {
  const otherwise = await rolloutsNumberedOtherwise(ports.index, [t]);
  const [summary] = await turnsWithItems(ports, lineage, [t], 'summary', otherwise);
  const items = (summary?.items ?? []).filter((i) => i.type === 'agentMessage');
  return { ...summary!, items, itemsView: items.length === 0 ? 'notLoaded' : 'summary' };
};

/** A look under way: what its current step holds, and what has been told (once the step is sent). */
interface Look {
  readonly threadId: string;
  readonly lineage: ThreadLineage;
  readonly usage: ThreadTokenUsageUpdated | null;
  readonly usageText: string | null;
  usageTold: boolean;
  /** Kept: the newest settled turn told (where the next look's scan stops), then the turns told since. */
  readonly told: Map<string, SeenTurn>;
  out: LiveNotification[];
  bytes: number;
}

/** A look's start: the thread caught up and opened, its token usage now. */
const openLook = async (ports: MutationPorts, threadId: string, seen: TailState): Promise<Look> => {
  const lineage = await openThread(ports, threadId);
  const usage = await take(readTokenUsage(ports, { threadId, fresh: true, forkReplay: true }));
  const usageText = usage === null ? null : JSON.stringify(usage);
  return {
    threadId,
    lineage,
    usage,
    usageText,
    usageTold: usageText === seen.tokenUsage,
    told: new Map<string, SeenTurn>([...seen.turns].filter(([, s]) => s.settled).slice(-1)),
    out: [],
    bytes: 0,
  };
};

/** The step a look built so far, its notifications handed over (the look starts the next one empty). */
const takeStep = (look: Look, seen: TailState): TailStep => {
  const s: TailStep = {
    notifications: look.out,
    seen: { turns: new Map(look.told), tokenUsage: look.usageTold ? look.usageText : seen.tokenUsage },
    bytes: look.bytes,
  };
  look.out = [];
  look.bytes = 0;
  return s;
};

/** Where the walk of untold turns starts: the oldest untold turn's line. */
const fromTurn = (lineage: ThreadLineage, oldest: WalkedTurn) => ({
  segment: lineage.segments.indexOf(oldest.segment),
  line: oldest.line,
  keep: (_pos: unknown, line: number) => line >= oldest.line,
});

/** `turn/started`: the turn as `thread/turns/list` renders it, still running (no items, `inProgress`). */
const tellTurnStarted = (look: Look, t: WalkedTurn): void => {
  const started = apiTurn(t.row, t.segment, 'notLoaded', []);
  look.out.push({
    method: 'turn/started',
    params: {
      threadId: look.threadId,
      turn: { ...started, status: 'inProgress', error: null, completedAt: null, durationMs: null },
    },
  });
  look.bytes += NOTIFICATION_BYTES;
};

/** The end (exclusive) of the rows from `at` one step reads: a step's bytes, at least one row. */
const sliceEnd = (rows: ReadonlyArray<readonly [number, ItemRow]>, at: number, stepBytes: number): number => {
  let end = at;
  let read = 0;
  while (end < rows.length && (end === at || read + rowBytes(rows[end]![1]) <= stepBytes))
    read += rowBytes(rows[end++]![1]);
  return end;
};

/** The rollout bytes of rows `at` to `end` (exclusive). */
const sliceBytes = (rows: ReadonlyArray<readonly [number, ItemRow]>, at: number, end: number): number => {
  let read = 0;
  for (let i = at; i < end; i++) read += rowBytes(rows[i]![1]);
  return read;
};

/** `item/completed` for each item read that is done and not yet told. */
const tellItems = (look: Look, turnId: string, items: Set<string>, read: ReadonlyArray<ThreadItem>): void => {
  for (const item of read) {
    if (items.has(item.id) || !isDone(item)) continue;
    items.add(item.id);
    look.out.push({
      method: 'item/completed',
      params: { item, threadId: look.threadId, turnId, contentTokenCount: null, completedAtMs: item.completedAtMs },
    });
  }
};

/**
 * An ended turn's close: the token usage it reached (once), then `turn/completed` with `completed`
 * (its final agent message, whose row's bytes the step counts).
 */
const tellTurnCompleted = (
  look: Look,
  t: WalkedTurn,
  rows: ReadonlyArray<readonly [number, ItemRow]>,
  completed: Turn,
): void => {
  const turn = t.row;
  if (!look.usageTold && look.usage !== null && look.usage.turnId === turn.id) {
    look.out.push({ method: 'thread/tokenUsage/updated', params: look.usage });
    look.usageTold = true;
  }
  look.out.push({ method: 'turn/completed', params: { threadId: look.threadId, turn: completed } });
  const finalRow = rows.find(([line]) => line === turn.finalAgentItem?.line);
  look.bytes += NOTIFICATION_BYTES + (finalRow === undefined ? 0 : rowBytes(finalRow[1]));
  // The next look's scan stops here: what was told before it need not be kept.
  look.told.clear();
};

/** The usage not told with a turn's close (counted in a turn still running, or changed since): told last. */
const tellUsageLeft = (look: Look): void => {
  if (!look.usageTold && look.usage !== null)
    look.out.push({ method: 'thread/tokenUsage/updated', params: look.usage });
  look.usageTold = true;
};

/** The steps of a look: each yielded once it holds `stepBytes`, the last one whatever it holds. */
async function* lookSteps(
  ports: MutationPorts,
  threadId: string,
  seen: TailState,
  stepBytes: number,
): AsyncGenerator<TailStep> {
  const look = await openLook(ports, threadId, seen);
  const oldest = await oldestUntold(ports, look.lineage, seen);
  if (oldest !== undefined) {
    const walk = walkTurns(ports, look.lineage, 'asc', fromTurn(look.lineage, oldest));
    try {
      for await (const t of walk) {
        const before = seen.turns.get(t.row.id);
        if (before?.settled === true) continue;
        if (before === undefined) tellTurnStarted(look, t);
        const items = new Set(before?.items ?? []);
        const rows = await turnItemRows(ports, t.segment, t.row, 'full');
        // A step's bytes of rows at a time: read, told, and let go before the next.
        for (let at = 0; at < rows.length;) {
          const end = sliceEnd(rows, at, stepBytes);
          const slice = rows.slice(at, end).filter(([, r]) => !items.has(r.id));
          const read = sliceBytes(rows, at, end);
          at = end;
          tellItems(look, t.row.id, items, await readItems(ports, look.lineage, t.segment, slice));
          look.bytes += read;
          look.told.set(t.row.id, { settled: false, items: new Set(items) });
          if (look.bytes >= stepBytes) yield takeStep(look, seen);
        }
        const settled = t.row.status !== 'inProgress';
        if (settled) tellTurnCompleted(look, t, rows, await completedTurn(ports, look.lineage, t));
        look.told.set(t.row.id, { settled, items });
        if (look.bytes >= stepBytes) yield takeStep(look, seen);
      }
    } finally {
      await walk.return(undefined);
    }
  }
  tellUsageLeft(look);
  // The last step says where the look ended, even with nothing left to tell.
  yield takeStep(look, seen);
}

/**
 * What landed in a thread since `seen`, as Codex's live notifications, in steps of about
 * `stepBytes` (`TAIL_STEP_BYTES`): for each turn, oldest first, `turn/started` (the turn as
 * `thread/turns/list` renders it, still running: no items, `inProgress`), `item/completed` for
 * each item done (the item `thread/turns/list` full gives), then — once the turn ended — the
 * token usage it reached (`thread/tokenUsage/updated`, as `thread/resume` replays it) and
 * `turn/completed` (the turn with its final agent message, as Codex sends it: codex-rs
 * `app-server/src/bespoke_event_handling.rs`). A usage counted in a turn still running is told
 * when it changes. The thread is caught up first. The renderings are the read API's own: nothing
 * here renders an item.
 *
 * Nothing is read ahead of the step asked for: the turns are walked from the oldest untold one,
 * a turn's items read a step's bytes at a time, so a look holds one step whatever landed (a
 * burst of 2,000 turns of 128 KiB, taken whole, grew `serve` to about 1 GB). The caller takes
 * the next step once the last was sent (its followers' backpressure paces the look).
 */
export const tailThread = (
  ports: MutationPorts,
  threadId: string,
  seen: TailState,
  stepBytes: number = TAIL_STEP_BYTES,
): TailLook => {
  const steps = lookSteps(ports, threadId, seen, stepBytes);
  return {
    next: useCase(async () => {
      const r = await steps.next();
      return r.done === true ? null : r.value;
    }),
  };
};
