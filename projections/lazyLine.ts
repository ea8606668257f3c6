import * as E from 'fp-ts/lib/Either.js';
import { decodeRolloutLine } from '../domain/rollout/line.js';
import type { RolloutLine } from '../domain/rollout/line.js';

/**
 * Lazy decode: Codex writes compact JSON with keys in the order `timestamp, ordinal, type,
 * payload`, so a line's kind is readable from its first bytes. Lines of kinds no projection reads
 * (model context, world state, compaction history: most of a rollout's bytes) are never parsed;
 * the runner still records their position and timestamp. Anything that does not match the prefix
 * (other key order, older formats) is parsed in full, so the shortcut can only save work.
 */
const PREFIX = /^\{"timestamp":"([^"\\]*)",(?:"ordinal":(\d+),)?"type":"([a-z_]+)"(?:,"payload":\{"type":"([A-Za-z_]+)")?/;

const SKIPPED_TOP = new Set(['response_item', 'world_state', 'compacted']);
const NEEDED_EVENT_MSGS = new Set([
  'task_started',
  'task_complete',
  'turn_aborted',
  'thread_rolled_back',
  'thread_settings_applied',
  'token_count',
  'item_completed',
  'user_message',
  'agent_message',
  'agent_reasoning',
  'agent_reasoning_raw_content',
  'context_compacted',
  'entered_review_mode',
  'exited_review_mode',
  'error',
]);

export type LazyLine =
  | { readonly kind: 'skipped'; readonly timestamp: string; readonly ordinal: number | null; readonly type: string }
  | { readonly kind: 'decoded'; readonly line: RolloutLine }
  | { readonly kind: 'undecodable'; readonly reason: string };

export const lazyDecode = (text: string): LazyLine => {
  const m = PREFIX.exec(text.length > 300 ? text.slice(0, 300) : text);
  if (m) {
    const type = m[3]!;
    const pType = m[4];
    const skip = SKIPPED_TOP.has(type) || (type === 'event_msg' && pType !== undefined && !NEEDED_EVENT_MSGS.has(pType));
    if (skip) return { kind: 'skipped', timestamp: m[1]!, ordinal: m[2] === undefined ? null : Number(m[2]), type };
  }
  const d = decodeRolloutLine(text);
  return E.isLeft(d) ? { kind: 'undecodable', reason: d.left } : { kind: 'decoded', line: d.right };
};
