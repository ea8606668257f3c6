import type { ItemRow, TurnRow } from '../../domain/index/rows.js';
import type { HistorySegment, ThreadLineage } from '../../domain/history/lineage.js';
import { inSegment, lineEndOf } from '../../domain/history/lineage.js';
import type { ItemPresence, ThreadItem } from '../../domain/thread/threadItem.js';
import type { ItemsView, Turn } from '../../domain/thread/turn.js';
import { apiTurnOf } from '../../domain/thread/turnFoldState.js';
import { finalAgentMessageIndex } from '../../domain/thread/finalAgentMessage.js';
import type { HistoryReadPorts } from '../ports.js';
import { readItems } from './itemContent.js';
import { take } from '../../domain/effect.js';
import { keyText } from '../../domain/index/keyText.js';

/** Is an item row below its segment's cut (its key line, and the line its content is on)? */
export const itemInSegment = (seg: HistorySegment, line: number, r: ItemRow): boolean => {
  const [byteOffset, byteLength] = r.ranges[0] ?? [0, 0];
  return inSegment(seg, { line, byteOffset, byteLength, ordinal: r.ordinal });
};

/** The item rows at these lines, in line order (a line twice, once). */
export const rowsAt = async (
  ports: HistoryReadPorts,
  R: string,
  lines: ReadonlyArray<number | undefined>,
): Promise<Array<[number, ItemRow]>> => {
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
const scannedItemRows = async (
  ports: HistoryReadPorts,
  R: string,
  turn: TurnRow,
): Promise<Array<[number, ItemRow]> | undefined> => {
  if (turn.itemCount === 0) return [];
  if (turn.firstItem === null) return undefined;
  const rows = await take(ports.index.range('items', [R], { from: [R, turn.firstItem.line], limit: turn.itemCount }));
  return rows.length === turn.itemCount && rows.every((r) => r.value.turnId === turn.id)
    ? rows.map((r): [number, ItemRow] => [r.key[1], r.value])
    : undefined;
};

/** A segment read to its end (the current file): only there is a turn shown with every item it has (a cut shows part of a turn). */
export const uncut = (seg: HistorySegment): boolean => seg.endOrdinal === null && seg.endByteOffset === null;

/**
 * Does the segment show every item of the turn, so the summary its row keeps is the one its
 * visible items give? Below a cut (a fork's or a revision's base) every turn but the one the cut
 * runs through: all lines that made or changed its items lie below it. An item row is inside by
 * its ordinal, in a file not numbered otherwise `startOrdinal + line` (as `lineOfOrdinal` reads
 * it), so by its key line (`lastItemLine` the largest), or by its bytes (`itemsThrough` the end of
 * the last line). A file numbered otherwise, or a row of an older schema, is not judged.
 */
const itemsAllBelowCut = (seg: HistorySegment, turn: TurnRow, numberedOtherwise: boolean): boolean => {
  if (uncut(seg) || turn.lastItemLine === null) return true;
  if (numberedOtherwise || turn.itemsThrough == null) return false;
  return turn.lastItemLine < lineEndOf(seg) && (seg.endByteOffset === null || turn.itemsThrough <= seg.endByteOffset);
};

/**
 * The item rows of one turn in a segment, in rollout order (key line, row). A `summary` reads the
 * two rows the turn row names when all its items are in the segment (`itemsAllBelowCut`, which
 * the caller may have judged already), else picks them from the visible rows.
 */
export const turnItemRows = async (
  ports: HistoryReadPorts,
  seg: HistorySegment,
  turn: TurnRow,
  view: ItemsView,
  allBelowCut: boolean = uncut(seg),
): Promise<Array<[number, ItemRow]>> => {
  const R = seg.rollout.rolloutId;
  if (view === 'notLoaded') return [];
  let rows: Array<[number, ItemRow]> | undefined;
  if (view === 'summary' && allBelowCut)
    rows = await rowsAt(ports, R, [turn.firstUserItem?.line, turn.finalAgentItem?.line]);
  else
    rows =
      (await scannedItemRows(ports, R, turn)) ??
      (await rowsAt(ports, R, (await take(ports.index.get('turnIds', [R, keyText(turn.id)])))?.itemLines ?? []));
  const out = rows.filter(([line, r]) => itemInSegment(seg, line, r));
  // The cut runs through the turn's items (or was not judged): its row's summary may name items past it, so pick the two from what is visible.
  return view === 'summary' && !allBelowCut
    ? summaryOf(
        seg,
        turn,
        out,
        ([line]) => line,
        ([, r]) => r,
      )
    : out;
};

/**
 * A turn's summary among its entries (in rollout order): its first user message and its final
 * agent message, of the items created before its end in a paginated history (Codex sets a turn's
 * summary items only while it has no end: projections/turnStore.ts `addItem`).
 */
const summaryOf = <E>(
  seg: HistorySegment,
  turn: TurnRow,
  all: E[],
  lineOf: (e: E) => number,
  rowOf: (e: E) => ItemRow,
): E[] => {
  const end = seg.rollout.mode === 'paginated' ? turn.end : null;
  const entries = end === null ? all : all.filter((e) => lineOf(e) < end.line);
  const firstUser = entries.find((e) => rowOf(e).kind === 'userMessage');
  const agents = entries.filter((e) => rowOf(e).kind === 'agentMessage');
  const final =
    agents[
      finalAgentMessageIndex(
        seg.rollout.mode,
        agents.map((e) => rowOf(e).phase ?? null),
      )
    ];
  return entries.filter((e) => e === firstUser || e === final);
};

/**
 * A turn's summary among the items a reader has (`presence`), when the one the index gives holds
 * an item it lacks: every visible item of the turn read, those it lacks left out, the two picked
 * from the rest (as that Codex keeps the summary of the items it read).
 */
const presentSummary = async (
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  seg: HistorySegment,
  turn: TurnRow,
  allBelowCut: boolean,
  presence: ItemPresence,
): Promise<ThreadItem[]> => {
  const rows = await turnItemRows(ports, seg, turn, 'full', allBelowCut);
  const items = await readItems(ports, lineage, seg, rows);
  const had = rows
    .map((row, i) => ({ line: row[0], row: row[1], item: items[i]! }))
    .filter((e) => !presence.kinds.has(e.item.type) || presence.has(e.item));
  return summaryOf(
    seg,
    turn,
    had,
    (e) => e.line,
    (e) => e.row,
  ).map((e) => e.item);
};

/** A turn as the API shows it, once its items are read. */
export const apiTurn = (turn: TurnRow, seg: HistorySegment, view: ItemsView, items: ThreadItem[]): Turn => {
  // A turn whose end lies past its segment's cut never ended in this history (the fold's view).
  const endedPastCut = turn.end !== null && !inSegment(seg, turn.end);
  const t = endedPastCut
    ? {
        ...turn,
        status: 'inProgress' as const,
        error: null,
        startedAt: turn.startedAtByStart,
        completedAt: null,
        durationMs: null,
      }
    : turn;
  return apiTurnOf(t, items, view);
};

/**
 * A `summary` as the turn row keeps it (its first user and final agent message, rendered when
 * indexed), in rollout order; undefined when an item is not kept (a long line) or the segment's
 * cut runs through the turn's items (the summary is then picked from the visible items).
 */
const keptSummary = (turn: TurnRow, allBelowCut: boolean): ThreadItem[] | undefined => {
  if (!allBelowCut) return undefined;
  const refs = [turn.firstUserItem, turn.finalAgentItem].filter((r): r is NonNullable<typeof r> => r !== null);
  if (refs.some((r) => r.shown == null)) return undefined; // `== null`: a row of an older schema lacks it
  return refs
    .sort((a, b) => a.line - b.line)
    .filter((r, i, sorted) => i === 0 || sorted[i - 1]!.line !== r.line)
    .map((r) => r.shown!);
};

/**
 * Turns as `thread/turns/list` shows them, with the items their view asks for: a summary kept in
 * the turn row is used as it is, in the current file and below a cut alike, so a `summary` page
 * reads no item row and no file bytes for it (Codex's thread store keeps a turn's summary items
 * with its row too, deriving them only for a fork's boundary turn: codex-rs
 * `thread-store/src/local/thread_history/read.rs` `list_turns`); the other items of all the turns
 * of one segment are read in one batch (one open, one read per span of nearby ranges).
 * `numberedOtherwise`: the rollouts of the turns' segments numbered otherwise
 * (`rolloutsNumberedOtherwise`). `presence`: the items the asking Codex version has (a summary
 * holds only those).
 */
export const turnsWithItems = async (
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  turns: ReadonlyArray<{ readonly segment: HistorySegment; readonly row: TurnRow }>,
  view: ItemsView,
  numberedOtherwise: ReadonlySet<string>,
  presence?: ItemPresence,
): Promise<Turn[]> => {
  const allBelowCut = turns.map((t) =>
    itemsAllBelowCut(t.segment, t.row, numberedOtherwise.has(t.segment.rollout.rolloutId)),
  );
  const kept = turns.map((t, i) => (view === 'summary' ? keptSummary(t.row, allBelowCut[i]!) : undefined));
  const rowsOf: Array<Array<[number, ItemRow]>> = [];
  for (const [i, t] of turns.entries())
    rowsOf.push(kept[i] !== undefined ? [] : await turnItemRows(ports, t.segment, t.row, view, allBelowCut[i]));
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
  if (view === 'summary' && presence !== undefined)
    for (const [i, t] of turns.entries())
      if (itemsOf[i]!.some((item) => presence.kinds.has(item.type) && !presence.has(item)))
        itemsOf[i] = await presentSummary(ports, lineage, t.segment, t.row, allBelowCut[i]!, presence);
  return turns.map((t, i) =>
    apiTurn(t.row, t.segment, view, view === 'summary' ? summaryOfUnended(t.segment, t.row, itemsOf[i]!) : itemsOf[i]!),
  );
};

/**
 * A paginated turn that never ended (no task_complete or turn_aborted in its history; a fork's
 * turn whose end lies past its cut, as `apiTurn` reads it) has no
 * final agent message in its summary, only its first user message, in Codex's thread store, which
 * keeps a turn's summary items with its row (codex-rs `thread-store/src/local/thread_history/read.rs`
 * `list_turns`; measured on 0.169.0 by the differential fuzzer: its full view shows the message). A
 * legacy turn's summary is its items' (measured: equal).
 */
const summaryOfUnended = (seg: HistorySegment, turn: TurnRow, items: ThreadItem[]): ThreadItem[] =>
  seg.rollout.mode === 'paginated' && (turn.end === null || !inSegment(seg, turn.end))
    ? items.filter((i) => i.type !== 'agentMessage')
    : items;
