import type { LinePos, RolloutFoldRow, TurnIdRow, TurnRow } from '../domain/index/rows.js';
import type { HistoryMode } from '../domain/rollout/historyMode.js';
import type { Batch } from './batch.js';
import type { Mutable } from './projection.js';
import { listedTurnPos, newTurnState, turnOrderPos } from '../domain/thread/turnFoldState.js';
import type { TurnState } from '../domain/thread/turnFoldState.js';
import { keyText } from '../domain/index/keyText.js';
import { codexProjectsLine, nextOrdinalAfter } from '../domain/thread/paginatedOrdinals.js';

/** Shared row helpers of the turns and items projections (one rollout's turn fold, as rows). */

export type TurnDraft = Mutable<TurnRow>;
export type FoldDraft = Mutable<RolloutFoldRow>;

export const newFold = (mode: HistoryMode, startOrdinal: number, projectionStartOrdinal?: number): RolloutFoldRow => ({
  mode,
  currentTurnId: null,
  legacyItemCount: 0,
  codexUnreadLines: 0,
  dropped: [],
  startOrdinal,
  ...(projectionStartOrdinal === undefined ? {} : { projectionStartOrdinal }),
});

/** The ordinal Codex's projection expects at the file's line `line` (paginated). */
const expectedOrdinal = (fold: RolloutFoldRow, line: number): number =>
  fold.startOrdinal + line + (fold.ordinalShift ?? 0);

/**
 * Whether the line at `pos` makes no turn or item: in a paginated file, a line Codex's projection
 * skips (domain/thread/paginatedOrdinals.ts) or a sub-agent's inherited context (below its start ordinal).
 */
export const beforeProjectionStart = (fold: RolloutFoldRow, pos: LinePos): boolean =>
  fold.mode === 'paginated' &&
  (!codexProjectsLine(expectedOrdinal(fold, pos.line), pos.ordinal) ||
    (fold.projectionStartOrdinal !== undefined && pos.ordinal! < fold.projectionStartOrdinal));

/** The paginated fold's expectation moved past the line at `pos` (`decoded`: Codex decodes it); undefined: unchanged. */
export const shiftAfterLine = (fold: RolloutFoldRow, pos: LinePos, decoded: boolean): number | undefined => {
  const next = nextOrdinalAfter(expectedOrdinal(fold, pos.line), pos.ordinal, decoded);
  const shift = next - (fold.startOrdinal + pos.line + 1);
  return shift === (fold.ordinalShift ?? 0) ? undefined : shift;
};

/**
 * A row at `pos` needs an `ordinals` row: its ordinal is not the one its line has in a file as
 * Codex numbers it (`startOrdinal + line`), which readers compute without a row.
 */
export const ordinalOffLine = (
  b: Batch,
  rolloutId: string,
  pos: LinePos | null | undefined,
): pos is LinePos & { ordinal: number } =>
  pos != null && pos.ordinal !== null && pos.ordinal !== (b.get('fold', [rolloutId])?.startOrdinal ?? 0) + pos.line;

/** The fold row, edited in place (its `dropped` list is replaced, never pushed to). */
export const loadFold = (b: Batch, rolloutId: string): FoldDraft | undefined => b.edit('fold', [rolloutId]);

export const saveFold = (b: Batch, rolloutId: string, f: FoldDraft): void => b.put('fold', [rolloutId], f);

export const newTurn = (id: string): TurnDraft =>
  newTurnState<LinePos, Omit<TurnDraft, keyof TurnState<LinePos>>>(id, {
    endByteOffset: null,
    firstItem: null,
    firstUserItem: null,
    finalAgentItem: null,
    lastItemLine: null,
    itemCount: 0,
    compactionCount: 0,
    itemsThrough: null,
  });

/** A copy of a stored turn, listed or pending (`saveTurn` puts it back; the stored row keeps the key it had, to move it). */
export const loadTurn = (b: Batch, rolloutId: string, turnId: string): TurnDraft | undefined => {
  const ids = b.get('turnIds', [rolloutId, keyText(turnId)]);
  if (ids === undefined) return undefined;
  if (ids.pending !== undefined) return { ...ids.pending };
  const t = b.get('turns', [rolloutId, ids.line]);
  return t ? { ...t } : undefined;
};

/** The turn, created if new; undefined for a turn removed by a rollback. */
export const getOrCreateTurn = (
  b: Batch,
  rolloutId: string,
  fold: FoldDraft,
  turnId: string,
): TurnDraft | undefined => {
  if (fold.dropped.includes(turnId)) return undefined;
  return loadTurn(b, rolloutId, turnId) ?? newTurn(turnId);
};

/** The position that orders a turn: its anchor, else its first item (`ordinal` is Codex's cursor). */
export const keyPosOf: (t: TurnRow) => LinePos | null = turnOrderPos;

/**
 * Write a turn under its key line, moving it (and its ordinal entry) if its anchor changed; a turn
 * its history's mode does not list yet (`listedTurnPos`) but that has items is kept in its id row.
 */
export const saveTurn = (b: Batch, rolloutId: string, t: TurnDraft, mode: HistoryMode): void => {
  const ids = b.get('turnIds', [rolloutId, keyText(t.id)]);
  const pos = listedTurnPos(mode, t);
  if (pos === null) {
    // Not listed yet: nothing to store, or (paginated) its items' turn, kept for the line that lists it.
    if (t.firstItem !== null)
      b.put('turnIds', [rolloutId, keyText(t.id)], {
        line: t.firstItem.line,
        itemIds: ids?.itemIds ?? [],
        itemLines: ids?.itemLines ?? [],
        pending: t,
      });
    return;
  }
  const line = pos.line;
  const old = ids?.pending === undefined ? ids?.line : undefined;
  if (old !== undefined && old !== line) {
    const moved = b.get('turns', [rolloutId, old]);
    const oldPos = moved ? keyPosOf(moved) : null;
    // The old key may be the turn's first item, whose ordinal entry stays for the item.
    if (ordinalOffLine(b, rolloutId, oldPos) && b.get('items', [rolloutId, old]) === undefined)
      b.del('ordinals', [rolloutId, oldPos.ordinal]);
    b.del('turns', [rolloutId, old]);
  }
  b.put('turns', [rolloutId, line], t);
  if (old !== line || ids?.pending !== undefined) {
    b.put('turnIds', [rolloutId, keyText(t.id)], {
      line,
      itemIds: ids?.itemIds ?? [],
      itemLines: ids?.itemLines ?? [],
    });
    if (ordinalOffLine(b, rolloutId, pos)) b.put('ordinals', [rolloutId, pos.ordinal], line);
  }
};

/** Record where the turn's bytes end, once: the first line that ended it (as Codex keeps it). */
export const markEnded = (t: TurnDraft): void => {
  if (t.endByteOffset === null && t.end !== null) t.endByteOffset = t.end.byteOffset + t.end.byteLength + 1;
};

/** Items from which a turn's ids are looked up in a map (kept beside its row) rather than by a scan. */
const MAPPED_FROM = 32;
/** Item id → key line of the turn rows with many items; rows are never changed but through `addTurnItem`, which keeps it. */
const linesById = new WeakMap<TurnIdRow, Map<string, number>>();

const mapOf = (row: TurnIdRow): Map<string, number> => {
  let m = linesById.get(row);
  if (m === undefined) {
    m = new Map();
    row.itemIds.forEach((id, i) => m!.set(id, row.itemLines[i]!));
    linesById.set(row, m);
  }
  return m;
};

/** The key line of a turn's item by id (undefined: the turn has no such item). */
export const itemLineOf = (row: TurnIdRow | undefined, itemId: string): number | undefined => {
  if (row === undefined) return undefined;
  // A turn of thousands of items would make a scan per new item quadratic.
  if (row.itemIds.length >= MAPPED_FROM) return mapOf(row).get(itemId);
  const i = row.itemIds.lastIndexOf(itemId);
  return i < 0 ? undefined : row.itemLines[i];
};

/** This batch's own copy of a turn's id row: its lists are appended to in place. */
const withOwnLists = (r: TurnIdRow): TurnIdRow => ({ ...r, itemIds: [...r.itemIds], itemLines: [...r.itemLines] });

/** Record a new item of a turn that `saveTurn` has stored. */
export const addTurnItem = (b: Batch, rolloutId: string, turnId: string, itemId: string, line: number): void => {
  const row = b.edit('turnIds', [rolloutId, keyText(turnId)], withOwnLists);
  if (row === undefined) return;
  (row.itemIds as string[]).push(itemId);
  (row.itemLines as number[]).push(line);
  linesById.get(row)?.set(itemId, line);
};
