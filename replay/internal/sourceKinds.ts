import type { SourceKind } from '../../protocol/threads.js';

// Its own module, not listThreads.ts: a token report names a thread's client by it, and a `tokens`
// run then loads none of the listing.

/** A thread's source as `thread/list` filters on it (the protocol's `SourceKind`). */
export type ThreadSourceKind = SourceKind;

/** The kinds a thread's API `source` answers to (a sub-agent is both `subAgent` and its variant). */
export const sourceKindsOf = (source: unknown): ThreadSourceKind[] => {
  if (source === 'cli' || source === 'vscode' || source === 'exec' || source === 'appServer') return [source];
  if (typeof source === 'object' && source !== null && 'subAgent' in source) {
    const s = (source as { subAgent: unknown }).subAgent;
    if (s === 'review') return ['subAgent', 'subAgentReview'];
    if (s === 'compact') return ['subAgent', 'subAgentCompact'];
    if (typeof s === 'object' && s !== null && ('thread_spawn' in s || 'threadSpawn' in s))
      return ['subAgent', 'subAgentThreadSpawn'];
    return ['subAgent', 'subAgentOther'];
  }
  return ['unknown'];
};
