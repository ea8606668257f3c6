import type { LinePos, TurnRow } from '../domain/index/rows.js';
import type { HistoryMode } from '../domain/rollout/historyMode.js';
import type { ThreadItem } from '../domain/thread/threadItem.js';
import { phaseOfItemEvent } from '../domain/thread/itemEvents.js';
import type { ItemEvent, ReasoningEvent } from '../domain/thread/itemEvents.js';
import type { TurnStore } from '../domain/thread/turnFoldState.js';
import { agentMessagePhaseOf, becomesFinalAgentMessage } from '../domain/thread/finalAgentMessage.js';
import { itemFromLines } from '../domain/thread/itemFromLines.js';
import type { RolloutContext } from './projection.js';
import type { Batch } from './batch.js';
import {
  addTurnItem,
  getOrCreateTurn,
  itemLineOf,
  keyPosOf,
  loadTurn,
  markEnded,
  ordinalOffLine,
  saveFold,
  saveTurn,
} from './turnRows.js';
import type { FoldDraft, TurnDraft } from './turnRows.js';
import { keyText } from '../domain/index/keyText.js';

/**
 * A summary item's line at most this long is kept rendered in its turn's row (`ItemRef.shown`):
 * most are (a question, a short answer), and a longer one costs a read, not a bigger row.
 */
export const SHOWN_LINE_BYTES = 4096;

/** The item kinds a read can show `status: "failed"` (threadItem.ts): the ones whose row says so. */
const FAILING_KINDS: ReadonlySet<string> = new Set([
  'commandExecution',
  'fileChange',
  'mcpToolCall',
  'dynamicToolCall',
  'collabAgentToolCall',
]);

/** A turn's `itemsThrough` once the line at `pos` made or changed one of its items. */
const throughLine = (t: TurnDraft, pos: LinePos): number =>
  Math.max(t.itemsThrough ?? 0, pos.byteOffset + pos.byteLength);

/**
 * One rollout file's turns as index rows: the store the turns and items projections give the
 * turn rules (`domain/thread/turnRules.ts`). Items are kept as byte ranges (a page reads exactly
 * those bytes) with their turn's first user item and final agent item (the `summary` view) and
 * counts. Made per event: it holds the batch, the file and its `fold` row (the cursor).
 */
export class RowTurnStore implements TurnStore<TurnDraft, LinePos> {
  readonly itemsFromResponses: boolean;
  private readonly R: string;

  constructor(
    private readonly b: Batch,
    private readonly ctx: RolloutContext,
    private readonly fold: FoldDraft,
  ) {
    this.R = ctx.rolloutId;
    this.itemsFromResponses = ctx.itemsFromResponses === true;
  }

  turn(id: string): TurnDraft | undefined {
    return getOrCreateTurn(this.b, this.R, this.fold, id);
  }

  storedTurn(id: string): TurnDraft | undefined {
    return loadTurn(this.b, this.R, id);
  }

  implicitTurnKey(pos: LinePos): number {
    return pos.line;
  }

  saveTurn(t: TurnDraft): void {
    saveTurn(this.b, this.R, t, this.fold.mode);
  }

  ended(t: TurnDraft): void {
    markEnded(t);
  }

  saveCursor(): void {
    saveFold(this.b, this.R, this.fold);
  }

  /** The item the line holds as the API shows it (the fold a read uses), or null when it is not kept in the turn row. */
  private shown(mode: HistoryMode, ev: ItemEvent, pos: LinePos, id: string): ThreadItem | null {
    // An early rollout's items come from model-context lines a read expands anew: read it then.
    if (this.itemsFromResponses || pos.byteLength > SHOWN_LINE_BYTES) return null;
    const position = {
      rolloutId: this.R,
      line: pos.line,
      byteOffset: pos.byteOffset,
      byteLength: pos.byteLength,
      ordinal: pos.ordinal ?? undefined,
      seq: 0,
    };
    return itemFromLines(mode, false, id, [{ event: ev, position }]) ?? null;
  }

  /** `{ failed: true }` for a tool item the line shows failed (its status as a read gives it: a collapsed turn's badge is red by it), else nothing. */
  private failure(
    mode: HistoryMode,
    kind: string,
    ev: ItemEvent,
    pos: LinePos,
    id: string,
  ): { readonly failed?: true } {
    if (this.itemsFromResponses || !FAILING_KINDS.has(kind)) return {};
    const position = {
      rolloutId: this.R,
      line: pos.line,
      byteOffset: pos.byteOffset,
      byteLength: pos.byteLength,
      ordinal: pos.ordinal ?? undefined,
      seq: 0,
    };
    const item = itemFromLines(mode, false, id, [{ event: ev, position }]);
    return item !== undefined && 'status' in item && item.status === 'failed' ? { failed: true } : {};
  }

  addItem(
    t: TurnDraft,
    id: string,
    kind: string,
    ev: ItemEvent,
    pos: LinePos,
    startedAtMs: number | null,
    completedAtMs: number | null,
  ): void {
    const { b, R } = this;
    const mode = this.fold.mode;
    const failed = this.failure(mode, kind, ev, pos, id);
    if (!t.firstItem) t.firstItem = pos;
    t.itemsThrough = throughLine(t, pos);
    const existing = itemLineOf(b.get('turnIds', [R, keyText(t.id)]), id);
    if (existing !== undefined) {
      // A later completion of the same item replaces its content in place (Codex keys items by id).
      const row = b.get('items', [R, existing]);
      if (row) {
        const { failed: _was, ...rest } = row;
        b.put('items', [R, existing], {
          ...rest,
          kind,
          ranges: [[pos.byteOffset, pos.byteLength]],
          startedAtMs,
          completedAtMs,
          ...failed,
        });
      }
      if (t.firstUserItem?.line === existing)
        t.firstUserItem = { ...t.firstUserItem, shown: this.shown(mode, ev, pos, t.firstUserItem.id) };
      if (t.finalAgentItem?.line === existing)
        t.finalAgentItem = { ...t.finalAgentItem, shown: this.shown(mode, ev, pos, t.finalAgentItem.id) };
      saveTurn(b, R, t, mode);
      return;
    }
    const phase = kind === 'agentMessage' ? agentMessagePhaseOf(phaseOfItemEvent(ev)) : null;
    const marked = phase === null ? {} : { phase };
    b.put('items', [R, pos.line], {
      turnId: t.id,
      id,
      kind,
      ordinal: pos.ordinal,
      ranges: [[pos.byteOffset, pos.byteLength]],
      startedAtMs,
      completedAtMs,
      ...marked,
      ...failed,
    });
    if (ordinalOffLine(b, R, pos)) b.put('ordinals', [R, pos.ordinal], pos.line);
    t.itemCount += 1;
    t.lastItemLine = pos.line;
    // Paginated: an item after the turn's end joins it but not its summary, whose items Codex sets
    // only while the turn row has no end (thread-store local/thread_history.rs `apply_change_set`;
    // measured on 0.169.0: unstartedTurns.compat.spec.ts, a late answer after a complete, an abort, a review's end).
    const summarised = mode !== 'paginated' || t.end === null;
    if (summarised && kind === 'userMessage' && t.firstUserItem === null)
      t.firstUserItem = { id, line: pos.line, shown: this.shown(mode, ev, pos, id) };
    if (
      summarised &&
      kind === 'agentMessage' &&
      becomesFinalAgentMessage(mode, phase, t.finalAgentItem === null ? undefined : (t.finalAgentItem.phase ?? null))
    )
      t.finalAgentItem = { id, line: pos.line, shown: this.shown(mode, ev, pos, id), ...marked };
    if (kind === 'contextCompaction') t.compactionCount += 1;
    saveTurn(b, R, t, mode);
    addTurnItem(b, R, t.id, id, pos.line);
  }

  extendReasoning(t: TurnDraft, _ev: ReasoningEvent, pos: LinePos): boolean {
    const { b, R } = this;
    const last = t.lastItemLine === null ? undefined : b.get('items', [R, t.lastItemLine]);
    if (!last || last.kind !== 'reasoning') return false;
    // A line holding several parts counts once.
    const same = last.ranges[last.ranges.length - 1]?.[0] === pos.byteOffset;
    if (!same)
      b.put('items', [R, t.lastItemLine!], { ...last, ranges: [...last.ranges, [pos.byteOffset, pos.byteLength]] });
    t.itemsThrough = throughLine(t, pos);
    saveTurn(b, R, t, this.fold.mode);
    return true;
  }

  hasContent(t: TurnDraft): boolean {
    return t.itemCount > 0 && t.compactionCount < t.itemCount;
  }

  hasCompaction(t: TurnDraft): boolean {
    return t.compactionCount > 0;
  }

  itemCount(t: TurnDraft): number {
    return t.itemCount;
  }

  visibleTurns(): readonly TurnDraft[] {
    const { b, R } = this;
    return b
      .keys('turns', [R])
      .map((k) => b.get('turns', [R, k[1] as number])!)
      .filter((t): t is TurnRow => t !== undefined) as TurnDraft[];
  }

  /** Delete the turns with their items, ordinals and renderings. */
  drop(turns: readonly TurnDraft[]): void {
    const { b, R } = this;
    const dropped: string[] = [];
    for (const t of turns) {
      const pos = keyPosOf(t);
      if (pos !== null) b.del('turns', [R, pos.line]);
      if (pos?.ordinal != null) b.del('ordinals', [R, pos.ordinal]);
      for (const itemLine of b.get('turnIds', [R, keyText(t.id)])?.itemLines ?? []) {
        const item = b.get('items', [R, itemLine]);
        if (item?.ordinal != null) b.del('ordinals', [R, item.ordinal]);
        b.del('items', [R, itemLine]);
      }
      b.del('turnIds', [R, keyText(t.id)]);
      b.del('turnRenderings', [R, keyText(t.id)]);
      dropped.push(t.id);
    }
    this.fold.dropped = [...this.fold.dropped, ...dropped];
  }
}
