import type { ItemRow, TurnRow } from '../../domain/index/rows.js';
import type { HistorySegment, ThreadLineage } from '../../domain/history/lineage.js';
import { inSegment } from '../../domain/history/lineage.js';
import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { ItemsView, Turn } from '../../domain/thread/turn.js';
import type { HistoryReadPorts } from '../ports.js';
import { readItems } from './itemContent.js';
import { take } from './useCase.js';

/** The item rows of one turn in a segment, in rollout order (key line, row). */
export const turnItemRows = async (ports: HistoryReadPorts, seg: HistorySegment, turn: TurnRow, view: ItemsView): Promise<Array<[number, ItemRow]>> => {
  const R = seg.rollout.rolloutId;
  let lines: number[];
  if (view === 'notLoaded') return [];
  const cut = seg.endOrdinal !== null || seg.endByteOffset !== null;
  if (view === 'summary' && !cut) {
    lines = [turn.firstUserItem?.line, turn.finalAgentItem?.line].filter((l): l is number => l !== undefined);
  } else {
    lines = [...((await take(ports.index.get('turnIds', [R, turn.id])))?.itemLines ?? [])];
  }
  const out: Array<[number, ItemRow]> = [];
  for (const line of [...new Set(lines)].sort((a, b) => a - b)) {
    const r = await take(ports.index.get('items', [R, line]));
    if (r === undefined) continue;
    const [byteOffset, byteLength] = r.ranges[0] ?? [0, 0];
    if (inSegment(seg, { line, byteOffset, byteLength, ordinal: r.ordinal })) out.push([line, r]);
  }
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
 * Turns as `thread/turns/list` and `thread/read` show them, with the items their view asks for:
 * the items of all the turns of one segment are read in one batch (one open, one pread each).
 */
export const turnsWithItems = async (
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  turns: ReadonlyArray<{ readonly segment: HistorySegment; readonly row: TurnRow }>,
  view: ItemsView,
): Promise<Turn[]> => {
  const rowsOf: Array<Array<[number, ItemRow]>> = [];
  for (const t of turns) rowsOf.push(await turnItemRows(ports, t.segment, t.row, view));
  const itemsOf: ThreadItem[][] = turns.map(() => []);
  for (const seg of new Set(turns.map((t) => t.segment))) {
    const mine = turns.map((t, i) => i).filter((i) => turns[i]!.segment === seg);
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
