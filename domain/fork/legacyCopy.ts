import type { RolloutLine } from '../rollout/line.js';
import { makeRolloutLine } from '../rollout/line.js';
import { copiedSessionMeta } from './forkMeta.js';

/** The envelope head of a line in Codex's key order: `{"timestamp":"…",`. */
const TIMESTAMP_HEAD = /^\{"timestamp":"(?:[^"\\]|\\.)*"(?=[,}])/;

/**
 * A source line as a legacy fork holds it: the same line written again at the fork time. Codex
 * re-serialises what it read, so only the timestamp changes (and a copied `session_meta` gets its
 * multi-agent version); a line stored in another shape (an upcast early rollout) is written in
 * the modern envelope.
 */
export const copyIntoLegacyFork = (line: RolloutLine, timestamp: string): string => {
  if (
    line.type === 'session_meta' &&
    isRecord(line.payload) &&
    typeof line.payload['multi_agent_version'] !== 'string'
  ) {
    return makeRolloutLine({
      timestamp,
      type: line.type,
      payload: copiedSessionMeta(line.payload),
      metadata: line.metadata,
    }).raw;
  }
  const head = TIMESTAMP_HEAD.exec(line.raw);
  if (head !== null) return `{"timestamp":${JSON.stringify(timestamp)}${line.raw.slice(head[0].length)}`;
  return makeRolloutLine({ timestamp, type: line.type, payload: line.payload, metadata: line.metadata }).raw;
};

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
