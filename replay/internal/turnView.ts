import type { ItemRow, TurnRow } from '../../domain/index/rows.js';
import type { HistorySegment, ThreadLineage } from '../../domain/history/lineage.js';
import { inSegment } from '../../domain/history/lineage.js';
import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { ItemsView, Turn } from '../../domain/thread/turn.js';
import type { HistoryReadPorts } from '../ports.js';
import { readItems } from './itemContent.js';
import { scanRows } from './scanRows.js';
import type { WalkedTurn } from './turnWalk.js';
import * as E from 'fp-ts/lib/Either.js';
import { stop, take } from './useCase.js';

/** Is an item row below its segment's cut (its key line, and the line its content is on)? */
const itemInSegment = (seg: HistorySegment, line: number, r: ItemRow): boolean => {
  const [byteOffset, byteLength] = r.ranges[0] ?? [0, 0];
  return inSegment(seg, { line, byteOffset, byteLength, ordinal: r.ordinal });
};

/** The item rows at these lines, in line order (a line twice, once). */
const rowsAt = async (ports: HistoryReadPorts, R: string, lines: ReadonlyArray<number | undefined>): Promise<Array<[number, ItemRow]>> => {
  const out: Array<[number, ItemRow]> = [];
  for (const line of [...new Set(lines.filter((l): l is number => l !== undefined))].sort((a, b) => a - b)) {
    const r = await take(ports.index.get('items', [R, line]));
    if (r !== undefined) out.push([line, r]);
  }
  return out;
};

/**
 * All item rows of a turn, in line order, by one range scan of `itemCount` rows from its first
 * item's line: its items are normally the item rows there. Undefined when another turn's items
 * are among them (concurrent turns): the caller looks them up by id.
 */
const scannedItemRows = async (ports: HistoryReadPorts, R: string, turn: TurnRow): Promise<Array<[number, ItemRow]> | undefined> => {
  if (turn.itemCount === 0) return [];
  if (turn.firstItem === null) return undefined;
  const rows = await take(ports.index.range('items', [R], { from: [R, turn.firstItem.line], limit: turn.itemCount }));
  return rows.length === turn.itemCount && rows.every((r) => r.value.turnId === turn.id) ? rows.map((r): [number, ItemRow] => [r.key[1], r.value]) : undefined;
};

/** The item rows of one turn in a segment, in rollout order (key line, row). */
export const turnItemRows = async (ports: HistoryReadPorts, seg: HistorySegment, turn: TurnRow, view: ItemsView): Promise<Array<[number, ItemRow]>> => {
  const R = seg.rollout.rolloutId;
  if (view === 'notLoaded') return [];
  const cut = seg.endOrdinal !== null || seg.endByteOffset !== null;
  let rows: Array<[number, ItemRow]> | undefined;
  if (view === 'summary' && !cut) rows = await rowsAt(ports, R, [turn.firstUserItem?.line, turn.finalAgentItem?.line]);
  else rows = (await scannedItemRows(ports, R, turn)) ?? (await rowsAt(ports, R, (await take(ports.index.get('turnIds', [R, turn.id])))?.itemLines ?? []));
  const out = rows.filter(([line, r]) => itemInSegment(seg, line, r));
  if (view === 'summary' && cut) {
    // Below a cut the stored summary may name items past it: pick the two from what is visible.
    const firstUser = out.find(([, r]) => r.kind === 'userMessage');
    const lastAgent = [...out].reverse().find(([, r]) => r.kind === 'agentMessage');
    return out.filter((e) => e === firstUser || e === lastAgent);
  }
  return out;
};

/** A turn as the API shows it, once its items are read. */
const apiTurn = (turn: TurnRow, seg: HistorySegment, view: ItemsView, items: ThreadItem[]): Turn => {
  // A turn whose end lies past its segment's cut never ended in this history (the fold's view).
  const endedPastCut = turn.end !== null && !inSegment(seg, turn.end);
  const t = endedPastCut ? { ...turn, status: 'inProgress' as const, error: null, completedAt: null, durationMs: null } : turn;
  return {
    id: t.id,
    rootTurnId: t.rootTurnId,
    items,
    itemsView: view,
    // Nothing runs a turn in this process: one that never ended was interrupted.
    status: t.status === 'inProgress' ? 'interrupted' : t.status,
    error: t.error,
    startedAt: t.startedAt,
    completedAt: t.completedAt,
    durationMs: t.durationMs,
  };
};

/**
 * A `summary` as the turn row keeps it (its first user and final agent message, rendered when
 * indexed), in rollout order; undefined when an item is not kept (a long line) or the segment is
 * cut (the summary is then picked from the visible items).
 */
const keptSummary = (seg: HistorySegment, turn: TurnRow): ThreadItem[] | undefined => {
  if (seg.endOrdinal !== null || seg.endByteOffset !== null) return undefined;
  const refs = [turn.firstUserItem, turn.finalAgentItem].filter((r): r is NonNullable<typeof r> => r !== null);
  if (refs.some((r) => r.shown == null)) return undefined; // `== null`: a row of an older schema lacks it
  return refs
    .sort((a, b) => a.line - b.line)
    .filter((r, i, sorted) => i === 0 || sorted[i - 1]!.line !== r.line)
    .map((r) => r.shown!);
};

/**
 * Turns as `thread/turns/list` and `thread/read` show them, with the items their view asks for:
 * a summary kept in the turn row is used as it is; the other items of all the turns of one
 * segment are read in one batch (one open, one read per span of nearby ranges).
 */
export const turnsWithItems = async (
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  turns: ReadonlyArray<{ readonly segment: HistorySegment; readonly row: TurnRow }>,
  view: ItemsView,
): Promise<Turn[]> => {
  const kept = turns.map((t) => (view === 'summary' ? keptSummary(t.segment, t.row) : undefined));
  const rowsOf: Array<Array<[number, ItemRow]>> = [];
  for (const [i, t] of turns.entries()) rowsOf.push(kept[i] !== undefined ? [] : await turnItemRows(ports, t.segment, t.row, view));
  const itemsOf: ThreadItem[][] = turns.map((_, i) => kept[i] ?? []);
  for (const seg of new Set(turns.map((t) => t.segment))) {
    const mine = turns.map((t, i) => i).filter((i) => turns[i]!.segment === seg && kept[i] === undefined);
    const read = await readItems(
      ports,
      lineage,
      seg,
      mine.flatMap((i) => rowsOf[i]!),
    );
    let next = 0;
    for (const i of mine) itemsOf[i] = read.slice(next, (next += rowsOf[i]!.length));
  }
  return turns.map((t, i) => apiTurn(t.row, t.segment, view, itemsOf[i]!));
};

/** Turns whose items are read together (a few sequential span reads, `readRanges`); small enough that a batch's items die young (bigger batches were promoted and grew the old space). */
const FULL_TURNS_BATCH = 64;
/** Batches of a whole-thread walk between two remaps of the index's memory map. */
const REMAP_EVERY_BATCHES = 64;

/**
 * Every turn of a walk (oldest first) with all its items, `itemsView: "full"`, as a stream: the
 * item rows of each segment come from one forward scan of its `items` table, merged with the
 * turns by turn id (a turn has all its rows once the scan is past its `lastItemLine`), and the
 * items' bytes are read a batch of turns at a time, in file order. Memory holds one batch and
 * the rows of turns not reached yet (those of interleaved or shadowed turns), not the thread.
 */
export async function* fullTurnsInOrder(ports: HistoryReadPorts, lineage: ThreadLineage, walk: AsyncIterable<WalkedTurn>): AsyncGenerator<Turn> {
  let seg: HistorySegment | undefined;
  let scan: AsyncGenerator<{ readonly key: readonly [string, number]; readonly value: ItemRow }> | undefined;
  let scannedPast = -1;
  const waiting = new Map<string, Array<[number, ItemRow]>>();
  let batch: Array<{ readonly row: TurnRow; readonly items: Array<[number, ItemRow]> }> = [];
  let flushed = 0;

  async function* flush(): AsyncGenerator<Turn> {
    if (seg === undefined || batch.length === 0) return;
    const s = seg;
    const items = await readItems(
      ports,
      lineage,
      s,
      batch.flatMap((t) => t.items),
    );
    let next = 0;
    for (const t of batch) yield apiTurn(t.row, s, 'full', items.slice(next, (next += t.items.length)));
    batch = [];
    // A whole huge thread walks its rows once: the index pages read stay mapped (resident) until
    // the map is made again, so every so many batches it is (no range read is open here).
    if (++flushed % REMAP_EVERY_BATCHES === 0 && ports.index.remap) {
      const m = ports.index.remap();
      if (E.isLeft(m)) stop(m.left);
    }
  }

  for await (const t of walk) {
    if (t.segment !== seg) {
      yield* flush();
      await scan?.return(undefined);
      seg = t.segment;
      scan = scanRows(ports.index, 'items', [seg.rollout.rolloutId], { reverse: false }, 256);
      scannedPast = -1;
      waiting.clear();
    }
    const last = t.row.lastItemLine;
    while (last !== null && scannedPast < last) {
      const r = await scan!.next();
      if (r.done === true) {
        scannedPast = Number.POSITIVE_INFINITY;
        break;
      }
      const [, line] = r.value.key;
      scannedPast = line;
      if (!itemInSegment(seg, line, r.value.value)) continue;
      const rows = waiting.get(r.value.value.turnId);
      if (rows) rows.push([line, r.value.value]);
      else waiting.set(r.value.value.turnId, [[line, r.value.value]]);
    }
    batch.push({ row: t.row, items: waiting.get(t.row.id) ?? [] });
    waiting.delete(t.row.id);
    if (batch.length >= FULL_TURNS_BATCH) yield* flush();
  }
  yield* flush();
  await scan?.return(undefined);
}
