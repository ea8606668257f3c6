import type { ThreadRow } from '../../domain/index/rows.js';

/**
 * `readState` of `thread/read` / `readStates` of `thread/list`. Codex keeps read receipts in its
 * own SQLite state (published while a turn runs live), not in any rollout, so a history served
 * from the rollouts has no receipt: the state Codex reports for a thread without one.
 */
export interface ReadState {
  readonly firstUnread: { readonly type: 'turn'; readonly turnId: string } | { readonly type: 'threadStart' } | null;
  readonly revision: string;
}

/** Codex advertises read state only for durable user threads (not sub-agents, not unknown). */
export const hasReadState = (t: ThreadRow): boolean => {
  if (t.ephemeral) return false;
  const source = t.source as unknown;
  if (source === 'unknown' || (typeof source === 'object' && source !== null && 'subAgent' in source)) return false;
  return t.threadSource === null || t.threadSource === 'user';
};

export const readStateOf = (t: ThreadRow): ReadState => ({ firstUnread: null, revision: `initial:${t.id}` });
