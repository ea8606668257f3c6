import type { Writable } from 'node:stream';
import { RenderedTurns } from '../../../domain/thread/turn.js';

/**
 * JSON written as it is produced: a value whose arrays may be async iterables (a thread's turns,
 * read as they are written) is written piece by piece, with exactly the text `JSON.stringify`
 * gives for the same value with those arrays in memory; the pipe's backpressure paces the reads.
 */

/** A message already serialized (`peerOutbox.ts` counts its bytes when it is queued): written as this text. */
export class JsonText {
  constructor(readonly json: string) {}
  /** Its UTF-8 bytes, for a transport that writes bytes. */
  utf8(): Buffer {
    return Buffer.from(this.json, 'utf8');
  }
}

/** The JSON of a value that holds no stream: its text, as `JSON.stringify` gives it (a `JsonText` as it is). */
export const wholeJson = (value: unknown): string =>
  value instanceof JsonText ? value.json : (JSON.stringify(value) ?? 'null');

/** `wholeJson` as UTF-8 bytes (a `JsonText` gives its own). */
export const wholeJsonBytes = (value: unknown): Buffer =>
  value instanceof JsonText ? value.utf8() : Buffer.from(wholeJson(value), 'utf8');

const isStream = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === 'object' && v !== null && Symbol.asyncIterator in v;

/** An object `JSON.stringify` writes key by key (no `toJSON`, not an array). */
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  !(v instanceof JsonText) &&
  typeof (v as { toJSON?: unknown }).toJSON !== 'function';

/** Does the value hold a stream: is one, or is an object with one among its values (arrays are not looked into)? */
export const holdsStream = (v: unknown): boolean =>
  isStream(v) || (isPlainObject(v) && Object.values(v).some(holdsStream));

/** `value` with each stream in it (where `jsonPieces` finds them) replaced by `f` of it; the rest as it is. */
export const mapStreams = (value: unknown, f: (stream: AsyncIterable<unknown>) => AsyncIterable<unknown>): unknown =>
  isStream(value)
    ? f(value)
    : isPlainObject(value) && holdsStream(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStreams(v, f)]))
      : value;

/** The JSON text of `value` in pieces, in order; their concatenation is `JSON.stringify(value)` with each stream an array. */
export async function* jsonPieces(value: unknown): AsyncGenerator<string> {
  if (isStream(value)) {
    let sep = '[';
    for await (const element of value) {
      // As in an array, what JSON cannot write (undefined, a function) is null; turns already
      // rendered are written as their text (elements of this array, as `JSON.stringify` writes them).
      yield `${sep}${element instanceof RenderedTurns ? element.json : (JSON.stringify(element) ?? 'null')}`;
      sep = ',';
    }
    yield sep === '[' ? '[]' : ']';
  } else if (isPlainObject(value) && holdsStream(value)) {
    let sep = '{';
    for (const [key, v] of Object.entries(value)) {
      if (holdsStream(v)) {
        yield `${sep}${JSON.stringify(key)}:`;
        yield* jsonPieces(v);
      } else {
        const text = JSON.stringify(v);
        // As in an object, a key whose value JSON cannot write is left out.
        if (text === undefined) continue;
        yield `${sep}${JSON.stringify(key)}:${text}`;
      }
      sep = ',';
    }
    yield sep === '{' ? '{}' : '}';
  } else yield wholeJson(value);
}

/**
 * Pieces are written in writes of about this size: few syscalls, and an answer that fails before
 * its first write (within its first 64 KiB) can still be answered with an error alone.
 */
const WRITE_BYTES = 64 * 1024;

/**
 * How much may wait in the stream's buffer before the writer waits for it to drain: enough that
 * the answer is produced while the reader takes the last pieces (waiting at every full pipe made
 * the two sides take turns), little enough to keep memory bounded.
 */
const BUFFERED_BYTES = 1 << 20;

/** The error of a write its peer will never take: the connection was closed (`stopped` aborted). */
const stoppedError = (): Error => new Error('the output was closed');

/**
 * Write `text`; when the buffer is full, a promise of its drain — or of `stopped`: a peer dropped
 * for not reading never drains it (and `process.stdout` is never really destroyed: its `close`
 * says nothing), so the wait ends when its connection is closed.
 */
const written = (out: Writable, text: string, stopped?: AbortSignal): Promise<void> | undefined => {
  if (stopped?.aborted === true || out.destroyed) throw stoppedError();
  return out.write(text) || out.writableLength < BUFFERED_BYTES
    ? undefined
    : new Promise<void>((resolve, reject) => {
        const done = (): void => {
          out.off('drain', done);
          out.off('close', done);
          stopped?.removeEventListener('abort', gone);
          resolve();
        };
        const gone = (): void => {
          out.off('drain', done);
          out.off('close', done);
          reject(stoppedError());
        };
        out.once('drain', done);
        out.once('close', done);
        stopped?.addEventListener('abort', gone, { once: true });
      });
};

/**
 * Write `pieces` and then `end`, waiting while the pipe is full. When the pieces fail after some
 * bytes were written, a newline ends what was written (a line that is not the whole answer, nor
 * valid JSON) and the error is thrown; when they fail before, nothing was written.
 */
export const writePieces = async (
  out: Writable,
  pieces: AsyncIterable<string>,
  end: string,
  stopped?: AbortSignal,
): Promise<void> => {
  let held = '';
  let started = false;
  try {
    for await (const piece of pieces) {
      held += piece;
      if (held.length < WRITE_BYTES) continue;
      started = true;
      const text = held;
      held = '';
      await written(out, text, stopped);
    }
  } catch (err) {
    if (started && stopped?.aborted !== true) await written(out, '\n', stopped);
    throw err;
  }
  await written(out, held + end, stopped);
};

/** Write one JSON message as one line (see `writePieces`); `stopped`: its connection was closed, the write ends. */
export const writeJsonLine = (out: Writable, value: unknown, stopped?: AbortSignal): Promise<void> =>
  writePieces(out, jsonPieces(value), '\n', stopped);
