import type { Readable } from 'node:stream';

/**
 * One message of input as its bytes (decoded only once its bounds are checked: `messageBounds.ts`),
 * or the size of one that was over the limit (its bytes were dropped, not kept).
 */
export type InputLine =
  { readonly kind: 'line'; readonly bytes: Buffer } | { readonly kind: 'tooLong'; readonly bytes: number };

/**
 * The lines of a byte stream (`\n` or `\r\n`), holding at most `maxBytes` of one line: a longer
 * one is skipped to its end and reported by its size, so one oversized message costs bounded
 * memory and the lines after it are still read (readline holds a line whole: a ~512 MB message
 * ended the process with `Invalid string length`).
 */
export async function* boundedLines(input: Readable, maxBytes: number): AsyncGenerator<InputLine> {
  let parts: Buffer[] = [];
  let held = 0;
  let dropped = 0;
  const take = (): InputLine => {
    const joined = dropped > 0 ? null : Buffer.concat(parts, held);
    const line: InputLine =
      joined === null
        ? { kind: 'tooLong', bytes: held + dropped }
        : { kind: 'line', bytes: joined.at(-1) === 0x0d ? joined.subarray(0, joined.length - 1) : joined };
    parts = [];
    held = 0;
    dropped = 0;
    return line;
  };
  const keep = (piece: Buffer): void => {
    if (dropped > 0 || held + piece.length > maxBytes) {
      dropped += piece.length;
      return;
    }
    parts.push(piece);
    held += piece.length;
  };
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      keep(buf.subarray(start, nl));
      yield take();
      start = nl + 1;
    }
    if (start < buf.length) keep(buf.subarray(start));
  }
  if (held > 0 || dropped > 0) yield take();
}

/** The largest message a client may send (`serve --max-request-bytes`); a longer one is refused, its bytes dropped. */
export const DEFAULT_MAX_REQUEST_BYTES = 64 << 20;
