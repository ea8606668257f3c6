import { foldPluginEvent, pluginFileStateOf } from '../domain/plugins/rolloutObservations.js';
import type { Projection } from './projection.js';

/**
 * Plugin facts of each rollout file: the plugin used / enabled / disabled facts it states, keyed
 * by line. The per-file fold state lives in `auditState` so a tail catch-up continues exactly
 * where the last batch stopped. (The token audit is its own projection: `tokenAudit.ts`.)
 */
export const auditProjection: Projection = {
  name: 'audit',
  apply: (b, ctx, ev, pos, timestamp) => {
    const R = ctx.rolloutId;
    if (ev.kind === 'sessionMeta') {
      if (pos.line !== 0 || b.get('auditState', [R]) !== undefined) return;
      b.put('auditState', [R], { plugins: pluginFileStateOf(ev.payload.id) });
      return;
    }
    const row = b.get('auditState', [R]);
    if (!row) return;
    const p = foldPluginEvent(row.plugins, ev, timestamp);
    if (p.state === row.plugins) return;
    b.put('auditState', [R], { plugins: p.state });
    p.observations.forEach((o, seq) => b.put('pluginEvents', [R, pos.line, seq], o));
  },
};
