import type { RolloutEvent } from '../rollout/event.js';
import type { EventPosition } from './eventPosition.js';
import type { ThreadItem } from './threadItem.js';
import { emptyTurnFold, foldTurnEvent } from './foldTurns.js';
import type { HistoryMode } from '../rollout/historyMode.js';

/**
 * One ThreadItem from the lines that hold it (the byte ranges the index keeps), built by the same
 * fold that reads whole histories, so a page and a full read can never render an item
 * differently. `id` is the item's id in the thread (legacy `item-N` numbering is thread-wide and
 * lives in the index, not in these lines).
 */
export const itemFromLines = (
  mode: HistoryMode,
  itemsFromResponses: boolean,
  id: string,
  lines: ReadonlyArray<{ readonly event: RolloutEvent; readonly position: EventPosition }>,
): ThreadItem | undefined => {
  const fold = emptyTurnFold(mode, { itemsFromResponses });
  // The turn a line names is known: the index kept the item in it (a legacy item naming a turn the
  // thread never had is dropped by the fold, legacyItemPlacement.ts `knownLegacyTurn`).
  for (const l of lines) {
    const turnId = (l.event as { payload?: { turn_id?: unknown } }).payload?.turn_id;
    if (typeof turnId === 'string' && turnId !== '') fold.turn(turnId);
  }
  for (const l of lines) foldTurnEvent(fold, l.event, l.position);
  for (const t of fold.turns.values()) {
    const first = t.items[0];
    // The fold is this call's own: its item is returned as is unless the id must change (legacy numbering).
    if (first) return first.item.id === id ? first.item : ({ ...first.item, id } as ThreadItem);
  }
  return undefined;
};
