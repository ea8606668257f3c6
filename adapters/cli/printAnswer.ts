import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { reportError } from './exitCodes.js';

/**
 * Print a command's answer: as JSON (`--json`, exactly the value the RPC method returns) or as
 * `human` renders it; an error goes to stderr (a JSON object with `--json`) with its exit code. `exitCode` lets a report that
 * succeeded still exit non-zero (verify's differences).
 */
export const printAnswer = <A>(r: E.Either<EngineError, A>, json: boolean | undefined, human: (a: A) => string, exitCode?: (a: A) => number): void => {
  if (E.isLeft(r)) return reportError(r.left, json);
  const text = json === true ? JSON.stringify(r.right) : human(r.right);
  if (text !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  const code = exitCode?.(r.right) ?? 0;
  if (code !== 0) process.exitCode = code;
};
