import type { RolloutEvent } from '../rollout/event.js';
import type { EventPosition } from './eventPosition.js';
import type { ThreadItem } from './threadItem.js';
import type { HistoryMode } from '../rollout/historyMode.js';
import { applyTurnRule } from './turnRules.js';
import { itemBodyOf } from './itemEvents.js';
import { listedTurnPos, newTurnState } from './turnFoldState.js';
import type { FoldCursor, TurnState, TurnStore } from './turnFoldState.js';
import type { ItemEvent, ReasoningEvent } from './itemEvents.js';

/**
 * The whole-history turn fold: a thread's turns and items in memory, by the rules of
 * `turnRules.ts` (the same the index's projections apply to rows).
 */

export interface ItemEntry {
  readonly item: ThreadItem;
  /** The line that created the item (its `item_completed` line in paginated mode). */
  readonly position: EventPosition;
}

export interface TurnEntry extends TurnState<EventPosition> {
  items: ItemEntry[];
  firstItem: EventPosition | null;
}

/** The fold's state, and its own store: turns in a map, items in their turns. */
export class TurnFoldState implements FoldCursor, TurnStore<TurnEntry, EventPosition> {
  readonly turns = new Map<string, TurnEntry>();
  currentTurnId: string | null = null;
  legacyItemCount = 0;
  codexUnreadLines = 0;
  /** Turn ids removed by `thread_rolled_back`; later events for them are ignored. */
  readonly dropped = new Set<string>();
  /** Lines of a known kind whose payload did not decode: reported, never silently dropped. */
  readonly invalid: Array<{ position: EventPosition; reason: string }> = [];

  constructor(
    readonly mode: HistoryMode,
    /**
     * Early (pre-envelope) rollouts hold only model-context response items, no item events:
     * for them the visible items are derived from the user/assistant messages and reasoning.
     */
    readonly itemsFromResponses: boolean,
  ) {}

  turn(id: string): TurnEntry | undefined {
    if (this.dropped.has(id)) return undefined;
    let t = this.turns.get(id);
    if (!t) {
      t = newTurnState<EventPosition, Pick<TurnEntry, 'items' | 'firstItem'>>(id, { items: [], firstItem: null });
      this.turns.set(id, t);
    }
    return t;
  }

  storedTurn(id: string): TurnEntry | undefined {
    return this.turns.get(id);
  }

  implicitTurnKey(pos: EventPosition): number {
    return pos.seq;
  }

  // Turns live in the map as they are changed: nothing to save.
  saveTurn(): void {}
  ended(): void {}
  saveCursor(): void {}

  addItem(
    t: TurnEntry,
    id: string,
    _kind: string,
    ev: ItemEvent,
    pos: EventPosition,
    startedAtMs: number | null,
    completedAtMs: number | null,
  ): void {
    // A fresh body: complete it in place (an object spread is V8's slow path, per item).
    const item = itemBodyOf(ev, id) as ThreadItem;
    item.startedAtMs = startedAtMs;
    item.completedAtMs = completedAtMs;
    if (!t.firstItem) t.firstItem = pos;
    // A later completion of the same item id replaces it in place (Codex keys items by id).
    const i = t.items.findIndex((e) => e.item.id === item.id);
    if (i >= 0) t.items[i] = { item, position: t.items[i]!.position };
    else t.items.push({ item, position: pos });
  }

  extendReasoning(t: TurnEntry, ev: ReasoningEvent): boolean {
    const last = t.items[t.items.length - 1]?.item;
    if (!last || last.type !== 'reasoning') return false;
    (ev.kind === 'agentReasoningRawContent' ? last.content : last.summary).push(ev.payload.text);
    return true;
  }

  hasContent(t: TurnEntry): boolean {
    return t.items.length > 0 && !t.items.every((e) => e.item.type === 'contextCompaction');
  }

  hasCompaction(t: TurnEntry): boolean {
    return t.items.some((e) => e.item.type === 'contextCompaction');
  }

  itemCount(t: TurnEntry): number {
    return t.items.length;
  }

  visibleTurns(): TurnEntry[] {
    return [...this.turns.values()]
      .filter((t) => listedTurnPos(this.mode, t) !== null)
      .sort((a, b) => listedTurnPos(this.mode, a)!.seq - listedTurnPos(this.mode, b)!.seq);
  }

  drop(turns: readonly TurnEntry[]): void {
    for (const t of turns) {
      this.turns.delete(t.id);
      this.dropped.add(t.id);
    }
  }
}

export const emptyTurnFold = (mode: HistoryMode, opts: { itemsFromResponses?: boolean } = {}): TurnFoldState =>
  new TurnFoldState(mode, opts.itemsFromResponses ?? false);

/** Apply one event. Mutates and returns the state (the fold is linear; callers own the state). */
export const foldTurnEvent = (s: TurnFoldState, ev: RolloutEvent, pos: EventPosition): TurnFoldState => {
  if (ev.kind === 'invalid')
    s.invalid.push({ position: pos, reason: `${ev.type}${ev.payloadType ? `/${ev.payloadType}` : ''}: ${ev.reason}` });
  else applyTurnRule(s, s, ev, pos);
  return s;
};
