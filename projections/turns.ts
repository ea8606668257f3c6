import { applyTurnRule, ruleFamilyOf } from '../domain/thread/turnRules.js';
import type { Projection } from './projection.js';
import { codexReadsSessionMeta } from '../domain/rollout/kinds/sessionMeta.js';
import { beforeProjectionStart, loadFold, newFold, saveFold, shiftAfterLine } from './turnRows.js';
import { RowTurnStore } from './turnStore.js';
import { foldedHistoryMode } from '../domain/rollout/historyMode.js';

/**
 * Turns of one rollout file, in the order Codex shows them (key: anchor line): the `turn` rules
 * of `domain/thread/turnRules.ts` (the whole-history fold's) applied to rows. It also opens the
 * file's `fold` row, the cursor both turn projections carry.
 */
export const turnsProjection: Projection = {
  name: 'turns',
  readsAsCodex: true,
  // A legacy line Codex gives no place (a ghost snapshot, an event it leaves out, a line it cannot
  // decode) is counted out of the implicit turn numbers that follow (legacyItemPlacement.ts `rollout-<index>`).
  onLine: (b, ctx, seen) => {
    // Read first: a paginated file's fold row is not taken for writing by lines that change nothing.
    const read = b.get('fold', [ctx.rolloutId]);
    if (read?.mode === 'paginated') {
      const shift = shiftAfterLine(read, seen.pos, seen.codexItem);
      if (shift !== undefined) saveFold(b, ctx.rolloutId, { ...loadFold(b, ctx.rolloutId)!, ordinalShift: shift });
      return;
    }
    if (seen.codexNumbers || read?.mode !== 'legacy') return;
    const fold = loadFold(b, ctx.rolloutId)!;
    fold.codexUnreadLines += 1;
    saveFold(b, ctx.rolloutId, fold);
  },
  apply: (b, ctx, ev, pos) => {
    const R = ctx.rolloutId;
    // The file's own meta starts its fold; a later meta line goes to its rule (whether Codex reads it).
    if (ev.kind === 'sessionMeta' && b.get('fold', [R]) === undefined) {
      const paginated = foldedHistoryMode(ev.payload.history_mode) === 'paginated';
      // Ordinals are a paginated file's only (a legacy line has none).
      const childStart = paginated ? (ev.payload.subagent_history_start_ordinal ?? undefined) : undefined;
      const fold = newFold(
        paginated ? 'paginated' : 'legacy',
        ev.payload.history_base?.end_ordinal_exclusive ?? 0,
        childStart,
      );
      // A first meta Codex's serde refuses, a later one read as the thread's (projections/threads.ts
      // `takeLaterMeta`): Codex skips the first line, which takes no place in implicit turn numbers
      // (refused by our codec too, the fold starts at the later meta).
      const firstUnread = pos.line > 0 || (ctx.upcastFrom === undefined && !codexReadsSessionMeta(ev.payload));
      b.put('fold', [R], firstUnread ? { ...fold, codexUnreadLines: 1 } : fold);
      return;
    }
    if (ruleFamilyOf(ev.kind) !== 'turn') return;
    const fold = loadFold(b, R);
    if (!fold || beforeProjectionStart(fold, pos)) return;
    applyTurnRule(new RowTurnStore(b, ctx, fold), fold, ev, pos);
  },
};
