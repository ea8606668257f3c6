import type { Projection } from './projection.js';
import { toolItemOf } from '../domain/analytics/toolItems.js';
import { shownInLegacy } from '../domain/thread/itemEvents.js';

/**
 * The tool items a file's `item_completed` lines hold, by line: what analytics reconstruction
 * reports of them. A legacy file's item line of a kind a legacy event stands for (every tool kind)
 * is one Codex never writes there (codex-rs/rollout/src/policy.rs `should_persist_event_msg`:
 * legacy keeps only items with no legacy equivalent; the compat rich-legacy home 0.169.0 wrote
 * holds agent, user, reasoning, output, plan, sub-agent and sleep item lines, no tool item) and its
 * history sets aside: no tool item, as its image generation, web search or command is the legacy
 * event's, not this line's.
 */
export const toolItemsProjection: Projection = {
  name: 'toolItems',
  apply: (b, ctx, ev, pos) => {
    if (ev.kind !== 'itemCompleted') return;
    if (b.get('fold', [ctx.rolloutId])?.mode === 'legacy' && (ev.item === null || !shownInLegacy(ev.item))) return;
    const row = toolItemOf(ev.payload);
    if (row !== null) b.put('toolItems', [ctx.rolloutId, pos.line], row);
  },
};
