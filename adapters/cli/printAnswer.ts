import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { reportError } from './exitCodes.js';

/** How a command shows its answer. */
export interface AnswerView<A> {
  /** For a person, on stdout. */
  readonly text: (a: A) => string;
  /** What `--json` prints: for a history method exactly its JSON-RPC result (default: the answer). */
  readonly json?: (a: A) => unknown;
  /**
   * Lines for a person on stderr, about the answer rather than part of it (what it leaves out, and
   * how to see that), so a pipe gets the answer alone. Not with `--json`: stderr then carries
   * errors only.
   */
  readonly notes?: (a: A) => ReadonlyArray<string>;
}

/** A command's view: an `AnswerView`, or just the text for a person. */
export type Human<A> = ((a: A) => string) | AnswerView<A>;

/**
 * Print a command's answer: as JSON (`--json`, exactly the value the RPC method returns) or as
 * `human` renders it; an error goes to stderr (a JSON object with `--json`) with its exit code.
 * `exitCode` lets a report that succeeded still exit non-zero (verify's differences).
 */
export const printAnswer = <A>(r: E.Either<EngineError, A>, json: boolean | undefined, human: Human<A>, exitCode?: (a: A) => number): void => {
  if (E.isLeft(r)) return reportError(r.left, json);
  const view: AnswerView<A> = typeof human === 'function' ? { text: human } : human;
  const text = json === true ? JSON.stringify(view.json === undefined ? r.right : view.json(r.right)) : view.text(r.right);
  if (text !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  if (json !== true) for (const note of view.notes?.(r.right) ?? []) process.stderr.write(`${note}\n`);
  const code = exitCode?.(r.right) ?? 0;
  if (code !== 0) process.exitCode = code;
};
