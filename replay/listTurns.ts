import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import { rejected } from '../domain/errors.js';
import type { ItemsView, Turn } from '../domain/thread/turn.js';
import type { HistoryReadPorts } from './ports.js';
import type { ThreadLineage } from './internal/lineage.js';
import { segmentIndexForOrdinal } from './internal/lineage.js';
import { invalidCursor, parseHistoryCursor, parseTurnCursor, serializeHistoryCursor, serializeTurnCursor } from './internal/cursors.js';
import { openThread } from './internal/openThread.js';
import { pageSizeOf } from './internal/pageSize.js';
import type { Direction, SegmentStart, WalkedTurn } from './internal/turnWalk.js';
import { walkTurns } from './internal/turnWalk.js';
import { turnsWithItems } from './internal/turnView.js';
import { cutPage, pageCursors, pastAnchor } from './internal/page.js';

export interface ListTurnsQuery {
  readonly threadId: string;
  readonly cursor?: string | null | undefined;
  readonly limit?: number | null | undefined;
  readonly sortDirection?: Direction | null | undefined;
  readonly itemsView?: ItemsView | null | undefined;
}

export interface TurnPage {
  readonly data: Turn[];
  readonly nextCursor: string | null;
  readonly backwardsCursor: string | null;
}

/** Where a cursor puts the walk: paginated by ordinal, legacy by turn id. */
const startOf = async (ports: HistoryReadPorts, lineage: ThreadLineage, cursor: string, direction: Direction): Promise<E.Either<EngineError, SegmentStart>> => {
  const threadId = lineage.thread.id;
  if (lineage.mode === 'paginated') {
    const c = parseHistoryCursor(cursor, threadId, 'turns');
    if (E.isLeft(c)) return c;
    const { rolloutOrdinal, includeAnchor } = c.right;
    const segment = segmentIndexForOrdinal(lineage.segments, rolloutOrdinal);
    if (segment === undefined) return E.left(invalidCursor('position outside thread lineage'));
    const seg = lineage.segments[segment]!;
    const line = await ports.index.get('ordinals', [seg.rollout.rolloutId, rolloutOrdinal])();
    if (E.isLeft(line)) return line;
    return E.right({
      segment,
      line: line.right ?? null,
      keep: (pos) => pos.ordinal !== null && pastAnchor(direction, includeAnchor, pos.ordinal, rolloutOrdinal),
    });
  }
  const c = parseTurnCursor(cursor);
  if (E.isLeft(c)) return c;
  for (let segment = lineage.segments.length - 1; segment >= 0; segment -= 1) {
    const seg = lineage.segments[segment]!;
    const line = await ports.index.get('turnIds', [seg.rollout.rolloutId, c.right.turnId])();
    if (E.isLeft(line)) return line;
    if (line.right === undefined) continue;
    const anchor = line.right;
    return E.right({ segment, line: anchor, keep: (_pos, l) => pastAnchor(direction, c.right.includeAnchor, l, anchor) });
  }
  return E.left(rejected('invalid cursor: anchor turn is no longer present'));
};

const cursorOf = (lineage: ThreadLineage, t: WalkedTurn, includeAnchor: boolean): string =>
  lineage.mode === 'paginated' && t.pos.ordinal !== null
    ? serializeHistoryCursor(lineage.thread.id, 'turns', t.pos.ordinal, includeAnchor)
    : serializeTurnCursor(t.row.id, includeAnchor);

/** `thread/turns/list`: one page of turns from the index, newest first unless asked otherwise. */
export const listTurns = (ports: HistoryReadPorts, q: ListTurnsQuery): TE.TaskEither<EngineError, TurnPage> => async () => {
  const opened = await openThread(ports, q.threadId);
  if (E.isLeft(opened)) return opened;
  const lineage = opened.right;
  const direction: Direction = q.sortDirection ?? 'desc';
  const view: ItemsView = q.itemsView ?? 'summary';
  const size = pageSizeOf(q.limit);
  let start: SegmentStart | null = null;
  if (q.cursor !== null && q.cursor !== undefined) {
    const s = await startOf(ports, lineage, q.cursor, direction);
    if (E.isLeft(s)) return s;
    start = s.right;
  }
  const cut = await cutPage(walkTurns(ports, lineage, direction, start), size);
  if (E.isLeft(cut)) return cut;
  const data = await turnsWithItems(ports, lineage, cut.right.rows, view);
  if (E.isLeft(data)) return data;
  return E.right({ data: data.right, ...pageCursors(cut.right, (t, include) => cursorOf(lineage, t, include)) });
};
