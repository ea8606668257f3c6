import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { isEngineError } from '../../../domain/errors.js';
import { jsonPieces, writePieces } from '../rpc/streamedJson.js';
import { reportError } from './exitCodes.js';
import { terminalLines } from './terminalText.js';
import { terminalJson } from '../rpc/terminalJson.js';

/** How a command shows its answer. */
export interface AnswerView<A> {
  /** For a person, on stdout: the text, or its lines as they come (a streamed answer). */
  readonly text: (a: A) => string | AsyncIterable<string>;
  /** What `--json` prints: for a history method exactly its JSON-RPC result (default: the answer); its streams are written as they come. */
  readonly json?: (a: A) => unknown;
  /** `--json` prints this field of the result (`read`: its `thread`), taken after the result is shaped for the version asked (`JsonOutput.answerAt`). */
  readonly jsonField?: string;
  /**
   * Lines for a person on stderr, about the answer rather than part of it (what it leaves out, and
   * how to see that), so a pipe gets the answer alone. Not with `--json`: stderr then carries
   * errors only.
   */
  readonly notes?: (a: A) => ReadonlyArray<string>;
  /**
   * The text carries the CLI's own styling (search's highlight on a terminal) around pieces it
   * escaped itself (`terminalText`): printed as it is. Every other text passes `terminalLines`.
   */
  readonly styled?: boolean;
  /**
   * The exit code of an answer that succeeded but still fails the command (verify's differences,
   * an import's session that could not be written); 0 when absent.
   */
  readonly exitCode?: (a: A) => number;
}

/**
 * How a command prints: `json`, `--json` was given; `answerAt`, a method's result as the Codex
 * version asked for answers it (`--codex-version`: `commandSpec.ts` adds it to a view of a method's
 * options, through `methodAnswerAt`, as `serve` shapes its answers), applied to what `--json` prints.
 */
export interface JsonOutput {
  readonly json?: boolean;
  readonly answerAt?: (answer: unknown) => unknown;
}

/** A command's view: an `AnswerView`, or just the text for a person. */
export type Human<A> = ((a: A) => string | AsyncIterable<string>) | AnswerView<A>;

async function* terminalPieces(pieces: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const piece of pieces) yield terminalJson(piece);
}

async function* linesOf(lines: AsyncIterable<string>, shown: (text: string) => string): AsyncGenerator<string> {
  for await (const line of lines) yield `${shown(line)}\n`;
}

/**
 * Print a command's answer: as JSON (`--json`, exactly the value the RPC method returns, at the
 * version `output.answerAt` shapes it for) or as
 * `human` renders it; an error goes to stderr (a JSON object with `--json`) with its exit code,
 * an answer with the code its view gives (`AnswerView.exitCode`). A streamed answer that fails
 * midway has printed what it had (its last line ended) and reports the error.
 */
export const printAnswer = async <A>(
  r: E.Either<EngineError, A>,
  output: JsonOutput,
  human: Human<A>,
): Promise<void> => {
  const { json, answerAt = (answer: unknown) => answer } = output;
  if (E.isLeft(r)) return reportError(r.left, json);
  const view: AnswerView<A> = typeof human === 'function' ? { text: human } : human;
  try {
    if (json === true) {
      const result = answerAt(view.json === undefined ? r.right : view.json(r.right));
      const printed =
        view.jsonField === undefined ? result : (result as Readonly<Record<string, unknown>>)[view.jsonField];
      await writePieces(process.stdout, terminalPieces(jsonPieces(printed)), '\n');
    } else {
      const shown = view.styled === true ? (s: string) => s : terminalLines;
      const text = view.text(r.right);
      if (typeof text !== 'string') await writePieces(process.stdout, linesOf(text, shown), '');
      else if (text !== '') process.stdout.write(shown(text.endsWith('\n') ? text : `${text}\n`));
    }
  } catch (err) {
    if (isEngineError(err)) return reportError(err, json);
    throw err;
  }
  if (json !== true) for (const note of view.notes?.(r.right) ?? []) process.stderr.write(`${terminalLines(note)}\n`);
  const code = view.exitCode?.(r.right) ?? 0;
  if (code !== 0) process.exitCode = code;
};
