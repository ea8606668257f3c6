import type { ThreadRow } from '../../domain/index/rows.js';
import type { ReadState } from '../../domain/threadState/threadStateEvent.js';

export type { ReadState };

/** Codex advertises read state only for durable user threads (not sub-agents, not unknown). */
export const hasReadState = (t: ThreadRow): boolean => {
  if (t.ephemeral) return false;
  const source = t.source as unknown;
  if (source === 'unknown' || (typeof source === 'object' && source !== null && 'subAgent' in source)) return false;
  return t.threadSource === null || t.threadSource === 'user';
};

/**
 * `readState` of `thread/read` / `readStates` of `thread/list`. Codex keeps read receipts in its
 * own SQLite state, not in any rollout; here they are the engine's thread-state log folded into
 * the thread row (`thread/readState/update`). A thread without one has the state Codex reports
 * for a thread without a receipt.
 */
export const readStateOf = (t: ThreadRow): ReadState =>
  t.readState ?? { firstUnread: null, revision: `initial:${t.id}` };
