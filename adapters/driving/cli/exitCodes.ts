import type { EngineError, EngineErrorTag } from '../../../domain/errors.js';
import { renderError } from '../../../domain/errors.js';
import { terminalLines } from './terminalText.js';
import { terminalJson } from '../rpc/terminalJson.js';

/**
 * The CLI's exit codes, one table for every command (the README lists it):
 * 0 done; 1 the engine or the files failed (I/O, corrupt or undecodable data, an index written
 * by a newer version, a timeout); 2 the request was wrong (invalid option or argument, a thread,
 * turn or file that does not exist, a request Codex refuses); 3 `verify` / `repair` found
 * differences; 4 another writer got there first (Conflict: read again and retry).
 */
export const EXIT = { ok: 0, failed: 1, badRequest: 2, differences: 3, conflict: 4 } as const;

const BY_TAG: Readonly<Record<EngineErrorTag, number>> = {
  InvalidArgument: EXIT.badRequest,
  NotFound: EXIT.badRequest,
  Rejected: EXIT.badRequest,
  Conflict: EXIT.conflict,
  Decode: EXIT.failed,
  Corrupt: EXIT.failed,
  Unsupported: EXIT.failed,
  Io: EXIT.failed,
  Timeout: EXIT.failed,
};

/** The one mapping from the engine's errors to exit codes (as `toRpcError` is for JSON-RPC). */
export const exitCodeOf = (e: EngineError): number => BY_TAG[e._tag];

/**
 * An error as `--json` reports it: its tag, the sentence a person reads, the exit code, and the
 * error's own fields (`what`/`id`, `field`/`reason`, `path`, …) for a program to act on.
 */
export const errorJson = (e: EngineError): { readonly error: Record<string, unknown> } => {
  const { _tag, ...fields } = e;
  return { error: { tag: _tag, message: renderError(e), exitCode: exitCodeOf(e), ...fields } };
};

/**
 * Say what went wrong on stderr (one line, and the CLI's hint under it when it has one, how to go
 * on: `threadIdArgument.ts`; with `--json`, one JSON object, so a program reading stderr gets data
 * too) and set the exit code for it.
 */
export const reportError = (e: EngineError, json?: boolean): void => {
  const hint = (e as { readonly hint?: unknown }).hint;
  const under = typeof hint === 'string' ? `  ${terminalLines(hint)}\n` : '';
  process.stderr.write(
    json === true
      ? `${terminalJson(JSON.stringify(errorJson(e)))}\n`
      : `rollout-engine: ${terminalLines(renderError(e))}\n${under}`,
  );
  process.exitCode = exitCodeOf(e);
};
