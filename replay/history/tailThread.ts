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
  const steps = (async function* (): AsyncGenerator<TailStep> {
    const lineage = await openThread(ports, threadId);
    const usage = await take(readTokenUsage(ports, { threadId, fresh: true, forkReplay: true }));
    const usageText = usage === null ? null : JSON.stringify(usage);
    let usageTold = usageText === seen.tokenUsage;
    // Kept: the newest settled turn told (where the next look's scan stops), then the turns told since.
    const told = new Map<string, SeenTurn>([...seen.turns].filter(([, s]) => s.settled).slice(-1));
    let out: LiveNotification[] = [];
    let bytes = 0;
    const step = (): TailStep => {
      const s: TailStep = {
        notifications: out,
        seen: { turns: new Map(told), tokenUsage: usageTold ? usageText : seen.tokenUsage },
        bytes,
      };
      out = [];
      bytes = 0;
      return s;
    };
    const oldest = await oldestUntold(ports, lineage, seen);
    if (oldest !== undefined) {
      const from = {
        segment: lineage.segments.indexOf(oldest.segment),
        line: oldest.line,
        keep: (_pos: unknown, line: number) => line >= oldest.line,
      };
      const walk = walkTurns(ports, lineage, 'asc', from);
      try {
        for await (const t of walk) {
          const turn = t.row;
          const before = seen.turns.get(turn.id);
          if (before?.settled === true) continue;
          if (before === undefined) {
            const started = apiTurn(turn, t.segment, 'notLoaded', []);
            out.push({
              method: 'turn/started',
              params: {
                threadId,
                turn: { ...started, status: 'inProgress', error: null, completedAt: null, durationMs: null },
              },
            });
            bytes += NOTIFICATION_BYTES;
          }
          const items = new Set(before?.items ?? []);
          const rows = await turnItemRows(ports, t.segment, turn, 'full');
          // A step's bytes of rows at a time: read, told, and let go before the next.
          for (let at = 0; at < rows.length;) {
            let end = at;
            let read = 0;
            while (end < rows.length && (end === at || read + rowBytes(rows[end]![1]) <= stepBytes))
              read += rowBytes(rows[end++]![1]);
            const slice = rows.slice(at, end).filter(([, r]) => !items.has(r.id));
            at = end;
            for (const item of await readItems(ports, lineage, t.segment, slice)) {
              if (items.has(item.id) || !isDone(item)) continue;
              items.add(item.id);
              out.push({
                method: 'item/completed',
                params: { item, threadId, turnId: turn.id, contentTokenCount: null, completedAtMs: item.completedAtMs },
              });
            }
            bytes += read;
            told.set(turn.id, { settled: false, items: new Set(items) });
            if (bytes >= stepBytes) yield step();
          }
          const settled = turn.status !== 'inProgress';
          if (settled) {
            if (!usageTold && usage !== null && usage.turnId === turn.id) {
              out.push({ method: 'thread/tokenUsage/updated', params: usage });
              usageTold = true;
            }
            out.push({ method: 'turn/completed', params: { threadId, turn: await completedTurn(ports, lineage, t) } });
            const finalRow = rows.find(([line]) => line === turn.finalAgentItem?.line);
            bytes += NOTIFICATION_BYTES + (finalRow === undefined ? 0 : rowBytes(finalRow[1]));
            // The next look's scan stops here: what was told before it need not be kept.
            told.clear();
          }
          told.set(turn.id, { settled, items });
          if (bytes >= stepBytes) yield step();
        }
      } finally {
        await walk.return(undefined);
      }
    }
    if (!usageTold && usage !== null) out.push({ method: 'thread/tokenUsage/updated', params: usage });
    usageTold = true;
    // The last step says where the look ended, even with nothing left to tell.
    yield step();
  })();
  return {
    next: useCase(async () => {
      const r = await steps.next();
      return r.done === true ? null : r.value;
    }),
  };
};
