import type { LinePos } from '../domain/index/rows.js';
import type { Projection, RolloutContext } from './projection.js';
import type { RolloutEvent } from '../domain/rollout/event.js';
import type { Batch } from './batch.js';
import { addTurnItem, getOrCreateTurn, itemLineOf, loadFold, loadTurn, ordinalOffLine, saveFold, saveTurn } from './turnRows.js';
import type { FoldDraft, TurnDraft } from './turnRows.js';
import { eventsOfResponseItem } from '../domain/thread/responseMessage.js';
import { itemFromLines } from '../domain/thread/itemFromLines.js';
import type { ThreadItem } from '../domain/thread/threadItem.js';
import type { HistoryMode } from '../domain/rollout/historyMode.js';

/**
 * Items of one rollout file (key: the line that created the item), with their byte ranges so a
 * page reads exactly those bytes. Keeps each turn's first user item and final agent item (the
 * `summary` view) and item counts. Legacy ids `item-N` are numbered across the file, as Codex does.
 */

const apiKind = (pascal: string): string => pascal.charAt(0).toLowerCase() + pascal.slice(1);

/**
 * A summary item's line at most this long is kept rendered in its turn's row (`ItemRef.shown`):
 * most are (a question, a short answer), and a longer one costs a read, not a bigger row.
 */
export const SHOWN_LINE_BYTES = 4096;

/** The item the line holds as the API shows it (the fold a read uses), or null when it is not kept in the turn row. */
type Shown = (id: string) => ThreadItem | null;

const shownBy =
  (ctx: RolloutContext, mode: HistoryMode, ev: RolloutEvent, pos: LinePos): Shown =>
  (id) => {
    // An early rollout's items come from model-context lines a read expands anew: read it then.
    if (ctx.itemsFromResponses === true || pos.byteLength > SHOWN_LINE_BYTES) return null;
    const position = { rolloutId: ctx.rolloutId, line: pos.line, byteOffset: pos.byteOffset, byteLength: pos.byteLength, ordinal: pos.ordinal ?? undefined, seq: 0 };
    return itemFromLines(mode, false, id, [{ event: ev, position }]) ?? null;
  };

const addItem = (
  b: Batch,
  R: string,
  t: TurnDraft,
  item: { id: string; kind: string },
  pos: LinePos,
  startedAtMs: number | null,
  completedAtMs: number | null,
  shown: Shown,
): void => {
  if (!t.firstItem) t.firstItem = pos;
  t.itemsThrough = throughLine(t, pos);
  const existing = itemLineOf(b.get('turnIds', [R, t.id]), item.id);
  if (existing !== undefined) {
    // A later completion of the same item replaces its content in place (Codex keys items by id).
    const row = b.get('items', [R, existing]);
    if (row) b.put('items', [R, existing], { ...row, kind: item.kind, ranges: [[pos.byteOffset, pos.byteLength]], startedAtMs, completedAtMs });
    if (t.firstUserItem?.line === existing) t.firstUserItem = { ...t.firstUserItem, shown: shown(t.firstUserItem.id) };
    if (t.finalAgentItem?.line === existing) t.finalAgentItem = { ...t.finalAgentItem, shown: shown(t.finalAgentItem.id) };
    saveTurn(b, R, t);
    return;
  }
  b.put('items', [R, pos.line], {
    turnId: t.id,
    id: item.id,
    kind: item.kind,
    ordinal: pos.ordinal,
    ranges: [[pos.byteOffset, pos.byteLength]],
    startedAtMs,
    completedAtMs,
  });
  if (ordinalOffLine(b, R, pos)) b.put('ordinals', [R, pos.ordinal], pos.line);
  t.itemCount += 1;
  t.lastItemLine = pos.line;
  if (item.kind === 'userMessage' && t.firstUserItem === null) t.firstUserItem = { id: item.id, line: pos.line, shown: shown(item.id) };
  if (item.kind === 'agentMessage') t.finalAgentItem = { id: item.id, line: pos.line, shown: shown(item.id) };
  if (item.kind === 'contextCompaction') t.compactionCount += 1;
  saveTurn(b, R, t);
  addTurnItem(b, R, t.id, item.id, pos.line);
};

/** A turn's `itemsThrough` once the line at `pos` made or changed one of its items. */
const throughLine = (t: TurnDraft, pos: LinePos): number => Math.max(t.itemsThrough ?? 0, pos.byteOffset + pos.byteLength);

const nextLegacyId = (fold: FoldDraft): string => {
  fold.legacyItemCount += 1;
  return `item-${fold.legacyItemCount}`;
};

/** Legacy: the open turn, or an implicit one when items arrive before any task_started. */
const currentLegacyTurn = (b: Batch, R: string, fold: FoldDraft, pos: LinePos): TurnDraft | undefined => {
  if (fold.currentTurnId !== null) return getOrCreateTurn(b, R, fold, fold.currentTurnId);
  const id = `implicit-turn-${pos.line}`;
  const t = getOrCreateTurn(b, R, fold, id);
  if (t) {
    t.anchor = pos;
    fold.currentTurnId = id;
  }
  return t;
};

const ITEM_EVENTS: ReadonlySet<RolloutEvent['kind']> = new Set([
  'responseItem',
  'itemCompleted',
  'userMessage',
  'agentMessage',
  'agentReasoning',
  'agentReasoningRawContent',
  'contextCompacted',
  'enteredReviewMode',
  'exitedReviewMode',
]);

export const itemsProjection: Projection = {
  name: 'items',
  apply: (b, ctx, ev, pos, timestamp) => {
    if (!ITEM_EVENTS.has(ev.kind)) return;
    const R = ctx.rolloutId;
    const fold = loadFold(b, R);
    if (!fold) return;
    const legacy = fold.mode === 'legacy';
    const shown = shownBy(ctx, fold.mode, ev, pos);
    switch (ev.kind) {
      case 'responseItem': {
        // Early rollouts have no item events: their response items stand for them (as in the fold).
        if (ctx.itemsFromResponses === true) for (const e of eventsOfResponseItem(ev.payload)) itemsProjection.apply(b, ctx, e, pos, timestamp);
        return;
      }
      case 'itemCompleted': {
        if (legacy || ev.item === null) return;
        const t = getOrCreateTurn(b, R, fold, ev.payload.turn_id);
        if (t) addItem(b, R, t, { id: ev.item.id, kind: apiKind(ev.item.type) }, pos, ev.payload.started_at_ms ?? null, ev.payload.completed_at_ms ?? null, shown);
        return;
      }
      case 'userMessage': {
        if (!legacy) return;
        const open = fold.currentTurnId === null ? undefined : loadTurn(b, R, fold.currentTurnId);
        if (open && !open.anchoredByStart && open.itemCount > 0 && open.compactionCount < open.itemCount) fold.currentTurnId = null;
        const t = currentLegacyTurn(b, R, fold, pos);
        if (t) addItem(b, R, t, { id: nextLegacyId(fold), kind: 'userMessage' }, pos, null, null, shown);
        saveFold(b, R, fold);
        return;
      }
      case 'agentMessage': {
        if (!legacy || ev.payload.message === '') return;
        const t = currentLegacyTurn(b, R, fold, pos);
        if (t) addItem(b, R, t, { id: nextLegacyId(fold), kind: 'agentMessage' }, pos, null, null, shown);
        saveFold(b, R, fold);
        return;
      }
      case 'agentReasoning':
      case 'agentReasoningRawContent': {
        if (!legacy) return;
        const t = currentLegacyTurn(b, R, fold, pos);
        if (!t) return;
        const last = t.lastItemLine === null ? undefined : b.get('items', [R, t.lastItemLine]);
        if (last && last.kind === 'reasoning') {
          // Consecutive reasoning events extend the same reasoning item (a line holding several parts counts once).
          const same = last.ranges[last.ranges.length - 1]?.[0] === pos.byteOffset;
          if (!same) b.put('items', [R, t.lastItemLine!], { ...last, ranges: [...last.ranges, [pos.byteOffset, pos.byteLength]] });
          t.itemsThrough = throughLine(t, pos);
          saveTurn(b, R, t);
        } else addItem(b, R, t, { id: nextLegacyId(fold), kind: 'reasoning' }, pos, null, null, shown);
        saveFold(b, R, fold);
        return;
      }
      case 'contextCompacted': {
        if (!legacy) return;
        const t = currentLegacyTurn(b, R, fold, pos);
        if (t && t.compactionCount === 0) addItem(b, R, t, { id: nextLegacyId(fold), kind: 'contextCompaction' }, pos, null, null, shown);
        else if (t) saveTurn(b, R, t);
        saveFold(b, R, fold);
        return;
      }
      case 'enteredReviewMode': {
        if (!legacy) return;
        const turnId = ev.payload.turn_id ?? fold.currentTurnId;
        let t: TurnDraft | undefined;
        if (turnId) {
          t = getOrCreateTurn(b, R, fold, turnId);
          if (t && !t.anchor) t.anchor = pos;
          fold.currentTurnId = turnId;
        } else t = currentLegacyTurn(b, R, fold, pos);
        if (t) addItem(b, R, t, { id: ev.payload.item_id ?? nextLegacyId(fold), kind: 'enteredReviewMode' }, pos, null, null, shown);
        saveFold(b, R, fold);
        return;
      }
      case 'exitedReviewMode': {
        if (!legacy) return;
        const t = ev.payload.turn_id ? getOrCreateTurn(b, R, fold, ev.payload.turn_id) : currentLegacyTurn(b, R, fold, pos);
        if (t) addItem(b, R, t, { id: ev.payload.item_id ?? nextLegacyId(fold), kind: 'exitedReviewMode' }, pos, null, null, shown);
        saveFold(b, R, fold);
        return;
      }
      default:
        return;
    }
  },
};
