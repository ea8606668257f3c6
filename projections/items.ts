import { applyTurnRule, ruleFamilyOf } from '../domain/thread/turnRules.js';
import type { Projection } from './projection.js';
import { beforeProjectionStart, loadFold } from './turnRows.js';
import { RowTurnStore } from './turnStore.js';
import { codexSkipsForTime } from '../domain/thread/paginatedOrdinals.js';

/**
 * Items of one rollout file (key: the line that created the item), with their byte ranges so a
 * page reads exactly those bytes: the `item` rules of `domain/thread/turnRules.ts` (the
 * whole-history fold's) applied to rows. Legacy ids `item-N` are numbered across the file, as
 * Codex does.
 */
export const itemsProjection: Projection = {
  name: 'items',
  readsAsCodex: true,
  apply: (b, ctx, ev, pos, timestamp) => {
    if (ruleFamilyOf(ev.kind) !== 'item') return;
    const fold = loadFold(b, ctx.rolloutId);
    if (!fold || beforeProjectionStart(fold, pos)) return;
    // Its ordinal is passed over as a projected line's: the fold's expectation is as after one.
    if (fold.mode === 'paginated' && codexSkipsForTime(ev, timestamp)) return;
    applyTurnRule(new RowTurnStore(b, ctx, fold), fold, ev, pos);
  },
};
