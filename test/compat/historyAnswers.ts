// How a history answer of ours is compared with Codex's: Codex's read receipts are left out, and
// clock readings go through the clock oracle. Shared by the stdio and WebSocket compat suites.
import type { RpcAnswer } from '../fixtures/stdioRpcClient.js';
import { answeredFrom, type ClockOracle, type RequestWindow } from './clockOracle.js';

/**
 * What may differ, and why: `readState(s)` are Codex's SQLite read receipts (no rollout holds
 * them); thread times and the cursors made of them are explained by `oracle` (clockOracle.ts) or
 * left to differ. `method` and `params` are the request's (their `sortKey` says what a cursor holds;
 * a file-scan `thread/list` lists mtimes, `answeredFrom`). `ourOrder`: the ids as ours listed a page
 * `ours` holds in the DB's order (`ClockOracle.explained`). `asked`: when the step was asked of
 * both servers (a time Codex answers as the request's).
 */
export const normaliseHistoryAnswer = (
  oracle: ClockOracle,
  method: string,
  params: unknown,
  codex: RpcAnswer,
  ours: RpcAnswer,
  ourOrder?: readonly string[],
  asked?: RequestWindow,
): { expected: unknown; actual: unknown } => {
  if (!('result' in codex) || !('result' in ours)) return { expected: codex, actual: ours };
  const strip = (r: unknown): Record<string, unknown> => {
    const { readState: _a, readStates: _b, ...rest } = r as Record<string, unknown>;
    return rest;
  };
  const expected = strip(codex.result);
  const sortKey = typeof params === 'object' && params !== null ? (params as { sortKey?: unknown }).sortKey : undefined;
  return {
    expected: { result: expected },
    actual: {
      result: oracle.explained(expected, strip(ours.result), sortKey, answeredFrom(method, params), ourOrder, asked),
    },
  };
};
