import type { Projection } from './projection.js';
import { toolItemOf } from '../domain/analytics/toolItems.js';

/** The tool items a file's `item_completed` lines hold, by line: what analytics reconstruction reports of them. */
export const toolItemsProjection: Projection = {
  name: 'toolItems',
  apply: (b, ctx, ev, pos) => {
    if (ev.kind !== 'itemCompleted') return;
    const row = toolItemOf(ev.payload);
    if (row !== null) b.put('toolItems', [ctx.rolloutId, pos.line], row);
  },
};
