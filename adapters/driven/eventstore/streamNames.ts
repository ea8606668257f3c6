import * as nodePath from 'node:path';
import { parseRolloutFileName } from '../jsonl/home/rolloutFileName.js';

/** Every rollout stream's name starts so: the `$all` filter of export and of the projections. */
export const ROLLOUT_STREAM_PREFIX = 'rollout-';

/** `rollout-<threadId>` for a thread's file, `rollout-<threadId>~<revisionId>` for a revision; undefined for a name that is not a rollout's. */
export const rolloutStreamOf = (fileName: string): string | undefined => {
  const name = parseRolloutFileName(nodePath.basename(fileName));
  if (name === undefined) return undefined;
  return `${ROLLOUT_STREAM_PREFIX}${name.threadId}${name.revisionId === undefined ? '' : `~${name.revisionId}`}`;
};

/**
 * A file path stored with a stream (relative to CODEX_HOME, `/`-separated), checked before export
 * writes to it: under `sessions/` or `archived_sessions/`, no `..`, named like a rollout and
 * naming the same stream. Undefined when it is not one.
 */
export const confinedRolloutPath = (file: string, stream: string): string | undefined => {
  if (file.includes('\\') || file.includes('\u0000')) return undefined;
  const parts = file.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  if (parts[0] !== 'sessions' && parts[0] !== 'archived_sessions') return undefined;
  return rolloutStreamOf(parts[parts.length - 1]!) === stream ? parts.join(nodePath.sep) : undefined;
};
