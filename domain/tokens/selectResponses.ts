import type { CountedResponse } from './responseFold.js';
import type { Usage } from './usage.js';

/** A counted response as the index holds it: where its line is, and what it counted. */
export interface StoredResponse {
  readonly rolloutId: string;
  readonly line: number;
  readonly response: CountedResponse;
}

export interface Selection {
  readonly counted: ReadonlyArray<StoredResponse>;
  /** Records seen more than once (copied into a legacy fork, or written twice): counted once. */
  readonly duplicateRecords: number;
  /** token_count deltas a legacy fork copied from its source: counted in the source only. */
  readonly copiedCounts: number;
}

const usageKey = (u: Usage): string =>
  `${u.inputTokens}/${u.cachedInputTokens}/${u.cacheWriteInputTokens}/${u.outputTokens}/${u.reasoningOutputTokens}/${u.totalTokens}`;

const order = (a: StoredResponse, b: StoredResponse): number =>
  a.rolloutId < b.rolloutId ? -1 : a.rolloutId > b.rolloutId ? 1 : a.line - b.line;

/**
 * Each response once (pure). A record is identified by (thread that made it, response id); of its
 * copies the one in that thread's own file wins (else the first by rollout and line). A count
 * delta in a legacy fork is a copy when the source thread's files hold a count of the same turn
 * with the same running total.
 */
export const selectResponses = (rows: ReadonlyArray<StoredResponse>): Selection => {
  const records = new Map<string, StoredResponse>();
  let duplicateRecords = 0;
  const sourceCounts = new Set<string>();
  for (const r of rows) {
    const p = r.response;
    if (p.source === 'count' && p.total !== null)
      sourceCounts.add(`${p.fileThreadId}\u0000${p.turnId ?? ''}\u0000${usageKey(p.total)}`);
  }
  const counts: StoredResponse[] = [];
  let copiedCounts = 0;
  for (const r of [...rows].sort(order)) {
    const p = r.response;
    if (p.source === 'record') {
      const key = p.responseId === null ? `\u0001${r.rolloutId}\u0000${r.line}` : `${p.threadId}\u0000${p.responseId}`;
      const prev = records.get(key);
      if (prev === undefined) {
        records.set(key, r);
        continue;
      }
      duplicateRecords += 1;
      const ownFile = (x: StoredResponse) => x.response.fileThreadId === x.response.threadId;
      if (!ownFile(prev) && ownFile(r)) records.set(key, r);
      continue;
    }
    if (
      p.copyOf !== null &&
      p.total !== null &&
      sourceCounts.has(`${p.copyOf}\u0000${p.turnId ?? ''}\u0000${usageKey(p.total)}`)
    ) {
      copiedCounts += 1;
      continue;
    }
    counts.push(r);
  }
  return { counted: [...records.values(), ...counts].sort(order), duplicateRecords, copiedCounts };
};
