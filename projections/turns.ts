import type { TurnRow } from '../domain/index/rows.js';
import { applyTaskComplete, applyTurnEnd, errorAffectsTurnStatus, toTurnError } from '../domain/thread/foldTurns.js';
import type { Projection } from './projection.js';
import type { RolloutEvent } from '../domain/rollout/event.js';
import type { Batch } from './batch.js';
import { getOrCreateTurn, keyPosOf, loadFold, markEnded, newFold, saveFold, saveTurn } from './turnRows.js';

/**
 * Turns of one rollout file, in the order Codex shows them (key: anchor line). Same rules as the
 * whole-history fold `domain/thread/foldTurns.ts`: task_started anchors, task_complete /
 * turn_aborted end (failed when an error is present), legacy `error` fails the open turn,
 * `thread_rolled_back` drops the last N turns with their items.
 */

/** Drop the last `n` visible turns and their items (legacy rollback marker). */
const rollBack = (b: Batch, rolloutId: string, n: number): { dropped: string[]; remainingItems: number } => {
  const keys = b.keys('turns', [rolloutId]);
  const rows = keys.map((k) => b.get('turns', [rolloutId, k[1] as number])!).filter((t): t is TurnRow => t !== undefined);
  const cut = Math.max(0, rows.length - Math.max(0, Math.min(n, rows.length)));
  const dropped: string[] = [];
  for (const t of rows.slice(cut)) {
    const pos = keyPosOf(t);
    if (pos !== null) b.del('turns', [rolloutId, pos.line]);
    if (pos?.ordinal != null) b.del('ordinals', [rolloutId, pos.ordinal]);
    for (const itemLine of b.get('turnIds', [rolloutId, t.id])?.itemLines ?? []) {
      const item = b.get('items', [rolloutId, itemLine]);
      if (item?.ordinal != null) b.del('ordinals', [rolloutId, item.ordinal]);
      b.del('items', [rolloutId, itemLine]);
    }
    b.del('turnIds', [rolloutId, t.id]);
    b.del('turnRenderings', [rolloutId, t.id]);
    dropped.push(t.id);
  }
  return { dropped, remainingItems: rows.slice(0, cut).reduce((acc, t) => acc + t.itemCount, 0) };
};

const TURN_EVENTS: ReadonlySet<RolloutEvent['kind']> = new Set(['taskStarted', 'taskComplete', 'turnAborted', 'error', 'threadRolledBack']);

export const turnsProjection: Projection = {
  name: 'turns',
  apply: (b, ctx, ev, pos) => {
    const R = ctx.rolloutId;
    if (ev.kind === 'sessionMeta') {
      if (b.get('fold', [R]) === undefined)
        b.put('fold', [R], newFold(ev.payload.history_mode === 'paginated' ? 'paginated' : 'legacy', ev.payload.history_base?.end_ordinal_exclusive ?? 0));
      return;
    }
    if (!TURN_EVENTS.has(ev.kind)) return;
    const fold = loadFold(b, R);
    if (!fold) return;
    switch (ev.kind) {
      case 'taskStarted': {
        const t = getOrCreateTurn(b, R, fold, ev.payload.turn_id);
        if (!t) return;
        if (!t.anchoredByStart) {
          t.anchor = pos;
          t.anchoredByStart = true;
        }
        t.startedAt = ev.payload.started_at ?? t.startedAt;
        t.rootTurnId = ev.payload.root_turn_id ?? t.rootTurnId;
        saveTurn(b, R, t);
        if (fold.mode === 'legacy') {
          fold.currentTurnId = t.id;
          saveFold(b, R, fold);
        }
        return;
      }
      case 'taskComplete': {
        const t = getOrCreateTurn(b, R, fold, ev.payload.turn_id);
        if (!t) return;
        applyTaskComplete(fold.mode, t, pos, ev.payload);
        markEnded(t);
        saveTurn(b, R, t);
        if (fold.mode === 'legacy' && fold.currentTurnId === t.id) {
          fold.currentTurnId = null;
          saveFold(b, R, fold);
        }
        return;
      }
      case 'turnAborted': {
        const id = ev.payload.turn_id ?? fold.currentTurnId;
        if (!id) return;
        const t = getOrCreateTurn(b, R, fold, id);
        if (!t) return;
        applyTurnEnd(fold.mode, t, pos, 'interrupted', null, ev.payload);
        markEnded(t);
        saveTurn(b, R, t);
        return;
      }
      case 'error': {
        if (fold.mode !== 'legacy' || fold.currentTurnId === null || !errorAffectsTurnStatus(ev.payload.codex_error_info)) return;
        const t = getOrCreateTurn(b, R, fold, fold.currentTurnId);
        if (!t) return;
        t.status = 'failed';
        t.error = toTurnError(ev.payload);
        saveTurn(b, R, t);
        return;
      }
      case 'threadRolledBack': {
        const r = rollBack(b, R, ev.payload.num_turns);
        fold.currentTurnId = null;
        fold.dropped = [...fold.dropped, ...r.dropped];
        fold.legacyItemCount = r.remainingItems;
        saveFold(b, R, fold);
        return;
      }
      default:
        return;
    }
  },
};
