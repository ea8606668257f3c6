import type { TokenUsage } from '../domain/rollout/kinds/common.js';
import type { Projection } from './projection.js';
import { loadTurn, saveTurn } from './turnRows.js';

/**
 * Token usage at three levels: per response (`token_usage_record` rows), per turn (sum on the
 * turn row), per rollout (sum on the rollout row, plus the last `token_count` info that Codex
 * replays as `thread/tokenUsage/updated` on resume).
 */

export const addUsage = (a: TokenUsage | null, b: TokenUsage): TokenUsage => {
  const out: Record<string, number> = { ...(a ?? {}) } as Record<string, number>;
  for (const [k, v] of Object.entries(b)) if (typeof v === 'number') out[k] = (out[k] ?? 0) + v;
  return out as TokenUsage;
};

export const tokensProjection: Projection = {
  name: 'tokens',
  apply: (b, ctx, ev, pos, timestamp) => {
    const R = ctx.rolloutId;
    switch (ev.kind) {
      case 'taskStarted': {
        const row = b.get('rollouts', [R]);
        if (row) b.put('rollouts', [R], { ...row, lastTurnId: ev.payload.turn_id, lastTurnStartTimestamp: timestamp });
        return;
      }
      case 'tokenUsageRecord': {
        const turnId = ev.payload.turn_id ?? null;
        b.put('tokens', [R, pos.line], { turnId, responseId: ev.payload.response_id ?? null, usage: ev.payload.usage });
        if (turnId !== null) {
          const t = loadTurn(b, R, turnId);
          if (t) {
            t.tokenUsage = addUsage(t.tokenUsage, ev.payload.usage);
            saveTurn(b, R, t);
          }
        }
        const row = b.get('rollouts', [R]);
        if (row) b.put('rollouts', [R], { ...row, tokenUsage: addUsage(row.tokenUsage, ev.payload.usage) });
        return;
      }
      case 'tokenCount': {
        const row = b.get('rollouts', [R]);
        if (row && ev.payload.info !== undefined && ev.payload.info !== null) {
          b.put('rollouts', [R], { ...row, lastTokenCount: { line: pos.line, turnId: row.lastTurnId, info: ev.payload.info } });
        }
        return;
      }
      default:
        return;
    }
  },
};
