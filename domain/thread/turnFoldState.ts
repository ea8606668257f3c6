import type { RolloutEvent } from '../rollout/event.js';
import type { HistoryMode } from '../rollout/historyMode.js';
import type { ThreadItem } from './threadItem.js';
import type { ItemsView, Turn, TurnError, TurnStatus } from './turn.js';
import type { EventOf, ItemEvent, ReasoningEvent } from './itemEvents.js';

/**
 * What the turn fold keeps, shared by its two folds: a turn's state (`TurnState`, made by
 * `newTurnState`), where a fold stands in one history (`FoldCursor`), and the `TurnStore` each
 * fold supplies — in memory (`foldTurns.ts`) or as index rows (`projections/turnStore.ts`) — with a
 * turn as the API shows it (`apiTurnOf`). The rules that change them are `turnRules.ts`'s; apart
 * from them because the projections and reads use these shapes without the rules.
 */

/** The fields both folds keep of a turn; `P` is where a line sits (a history position or a file line). */
export interface TurnState<P> {
  readonly id: string;
  rootTurnId: string | null;
  status: TurnStatus;
  error: TurnError | null;
  startedAt: number | null;
  /**
   * The start's own `started_at` (its `task_started`'s): what a history cut before the turn's end
   * shows, a paginated turn's `startedAt` being its end's once it ends (turnEnds.ts `applyTurnEnd`).
   */
  startedAtByStart: number | null;
  completedAt: number | null;
  durationMs: number | null;
  anchoredByStart: boolean;
  /** Position that orders the turn: its `task_started`, else its end; none: a legacy turn is ordered by its first item, a paginated one is not listed. */
  anchor: P | null;
  /** Position of the line that ended the turn, if any. */
  end: P | null;
}

/**
 * A turn no line has touched yet, with the fields its fold keeps beside these (`own`, added after
 * them: the index stores rows with their keys in this order). Assigned onto a literal, not spread:
 * a spread made the turns V8's slow objects (the whole-history fold ran 20 times slower).
 */
export const newTurnState = <P, X extends object>(id: string, own: X): TurnState<P> & X =>
  Object.assign(
    {
      id,
      rootTurnId: null,
      status: 'inProgress' as TurnStatus,
      error: null,
      startedAt: null,
      startedAtByStart: null,
      completedAt: null,
      durationMs: null,
      anchoredByStart: false,
      anchor: null,
      end: null,
    },
    own,
  );

/** The position that orders a turn (and keys its row): its anchor, else its first item; null: not visible yet. */
export const turnOrderPos = <P>(t: { readonly anchor: P | null; readonly firstItem: P | null }): P | null =>
  t.anchor ?? t.firstItem;

/**
 * The position that lists a turn in a history of `mode` (null: not listed). A paginated turn is
 * listed only once a `task_started`, `task_complete` or `turn_aborted` names it (its anchor): Codex
 * makes a turn row from those lines alone and keeps each item under the turn id its line names,
 * so items naming a turn none of them named are read by that id (`thread/items/list`,
 * `/read`) but no list shows the turn — a review turn, which has no `task_started`, is listed by
 * its end (codex-rs app-server-protocol `thread_history_projection.rs` `project_rollout_line`,
 * thread-store `local/thread_history.rs` `apply_change_set`; measured on 0.169.0:
 * test/compat/unstartedTurns.compat.spec.ts). A legacy turn is listed by its first item too.
 */
export const listedTurnPos = <P>(
  mode: HistoryMode,
  t: { readonly anchor: P | null; readonly firstItem: P | null },
): P | null => (mode === 'paginated' ? t.anchor : turnOrderPos(t));

/** A turn as the API shows it, with the items its view holds. */
export const apiTurnOf = (t: Readonly<TurnState<unknown>>, items: ThreadItem[], itemsView: ItemsView): Turn => ({
  id: t.id,
  rootTurnId: t.rootTurnId,
  items,
  itemsView,
  // Nothing runs a turn in this process: one that never ended was interrupted (Codex reports the same when not loaded).
  status: t.status === 'inProgress' ? 'interrupted' : t.status,
  error: t.error,
  startedAt: t.startedAt,
  completedAt: t.completedAt,
  durationMs: t.durationMs,
});

/** Where a fold stands in one history (the index keeps it as the `fold` row). */
export interface FoldCursor {
  readonly mode: HistoryMode;
  /** Legacy: the turn receiving items without an explicit turn id. */
  currentTurnId: string | null;
  /** Legacy: the API numbers items `item-1`, `item-2`, … across the whole thread. */
  legacyItemCount: number;
  /**
   * Legacy: lines so far that Codex cannot read (a turn context of Codex 0.34–0.50). Codex numbers
   * an implicit turn by the index of its line among the lines it read (`rollout/src/recorder.rs`
   * `load_rollout_items` skips a line that fails to decode), so these do not count.
   */
  codexUnreadLines: number;
}
/** How one fold keeps its turns and items: in memory (whole history) or as index rows. */
export interface TurnStore<T extends TurnState<P>, P> {
  /** Early (pre-envelope) rollouts: the visible items come from model-context response items. */
  readonly itemsFromResponses: boolean;
  /** The turn, created if new; undefined for a turn a rollback removed. */
  turn(id: string): T | undefined;
  /** The turn if it was stored (never created). */
  storedTurn(id: string): T | undefined;
  /** The number naming an implicit legacy turn opened at `pos`. */
  implicitTurnKey(pos: P): number;
  /** The turn was changed. */
  saveTurn(t: T): void;
  /** The turn's end was just set. */
  ended(t: T): void;
  /** The cursor was changed. */
  saveCursor(): void;
  /** A new item of the turn (or, same id, a later completion replacing it); saves the turn. */
  addItem(
    t: T,
    id: string,
    kind: string,
    ev: ItemEvent,
    pos: P,
    startedAtMs: number | null,
    completedAtMs: number | null,
  ): void;
  /** Extend the turn's last item if it is a reasoning item (saving the turn); false if it is not. */
  extendReasoning(t: T, ev: ReasoningEvent, pos: P): boolean;
  /** The turn holds an item other than a context compaction. */
  hasContent(t: T): boolean;
  hasCompaction(t: T): boolean;
  itemCount(t: T): number;
  /** The visible turns in order. */
  visibleTurns(): readonly T[];
  /** Remove turns (with their items); later events for them are ignored. */
  drop(turns: readonly T[]): void;
}

/** A turn rule: what one event of kind `K` changes in a store's turns and items (turnRules.ts holds one per kind). */
export type TurnRule<K extends RolloutEvent['kind']> = <T extends TurnState<P>, P>(
  s: TurnStore<T, P>,
  c: FoldCursor,
  ev: EventOf<K>,
  pos: P,
) => void;
