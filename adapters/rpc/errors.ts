import type { EngineError } from '../../domain/errors.js';
import { renderError } from '../../domain/errors.js';
import { INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST } from '../../protocol/jsonRpc.js';
import type { RpcError } from '../../protocol/jsonRpc.js';

/**
 * Codex 0.169.0's words for a thread id it has no rollout for differ by method: the history reads
 * look for a loaded thread, `thread/fork` for a rollout; `thread/revert` and `review/start` say
 * `thread not found: <id>`, as `renderError` does and as the CLI says for every command. (Codex
 * answers `thread/items/list` on an unknown id as on a legacy thread, -32601 not supported; we
 * serve legacy threads, so we say what `thread/turns/list` says.) The engine has one error for an
 * unknown thread, NotFound; this table is the only place its words differ.
 */
const UNKNOWN_THREAD_WORDS: ReadonlyMap<string, (threadId: string) => string> = new Map([
  ['thread/read', (id: string) => `thread not loaded: ${id}`],
  ['thread/turns/list', (id: string) => `thread not loaded: ${id}`],
  ['thread/items/list', (id: string) => `thread not loaded: ${id}`],
  ['thread/items/read', (id: string) => `thread not loaded: ${id}`],
  ['thread/fork', (id: string) => `no rollout found for thread id ${id}`],
  ['thread/name/set', (id: string) => `no rollout found for thread id ${id}`],
  ['thread/archive', (id: string) => `no rollout found for thread id ${id}`],
  ['thread/unarchive', (id: string) => `no archived rollout found for thread id ${id}`],
  ['thread/metadata/update', (id: string) => `no rollout found for thread id ${id}`],
  ['thread/delete', (id: string) => `no rollout found for thread id ${id}`],
  ['thread/readState/update', (id: string) => `thread not loaded: ${id}`],
]);

/** The one mapping from the engine's errors to JSON-RPC errors (codes and words as Codex uses them for `method`). */
export const toRpcError = (e: EngineError, method: string): RpcError => {
  switch (e._tag) {
    case 'NotFound': {
      const words = e.what === 'thread' ? UNKNOWN_THREAD_WORDS.get(method) : undefined;
      return { code: INVALID_REQUEST, message: words === undefined ? renderError(e) : words(e.id) };
    }
    case 'Rejected':
      return e.data === undefined ? { code: INVALID_REQUEST, message: renderError(e) } : { code: INVALID_REQUEST, message: renderError(e), data: e.data };
    case 'Conflict':
      // The positions are data: a writer (`rollout/append`) retries from the actual end.
      return { code: INVALID_REQUEST, message: renderError(e), data: { path: e.path, expected: e.expected, actual: e.actual } };
    case 'Unsupported':
      return { code: INVALID_REQUEST, message: renderError(e) };
    case 'InvalidArgument':
      return { code: INVALID_PARAMS, message: renderError(e) };
    case 'Decode':
    case 'Corrupt':
    case 'Io':
    case 'Timeout':
      return { code: INTERNAL_ERROR, message: renderError(e) };
  }
};
