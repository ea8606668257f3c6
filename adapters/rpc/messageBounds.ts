/**
 * What a JSON-RPC message may be beyond its size, checked by one linear scan of its text before
 * `JSON.parse` builds anything: V8 parses `[[[[…]]]]` without a depth limit, and 16 MiB of it
 * became ~1 GB of arrays and seconds of a blocked event loop (issue 39); 16 MiB of `[],[],…` or
 * of one object's members cost 300–500 MB and 4–6 s the same way. The size limits
 * (`--max-request-bytes`, the WebSocket's 16 MiB) bound the bytes; these bound what they parse to.
 */

/**
 * The deepest nesting a message may have: what Codex parses. `codex app-server` decodes with
 * serde_json, whose recursion limit (128) refuses the 128th level ("recursion limit exceeded";
 * 0.169.0 measured: 127 levels answered, 128 dropped), so no message a Codex client sends is deeper.
 */
export const MAX_MESSAGE_DEPTH = 127;

/**
 * The most values a message may hold (containers, array elements, object members: every `[`,
 * `{` and `,` outside strings). Beyond Codex, which has no such bound: no method takes more than a
 * few thousand (a `rollout/append`'s lines are strings, one value each), and 100,000 keeps one
 * message's parse within tens of MB whatever its shape.
 */
export const MAX_MESSAGE_VALUES = 100_000;

/** Bytes scanned between two turns of the event loop: a 16 MiB message does not hold the other clients' answers back. */
const SCAN_SLICE = 1 << 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

/**
 * Why a message's UTF-8 bytes may not be parsed (the words of the `-32700` it gets), or `null`:
 * the nesting and the values outside strings are counted, stopping at the first level or value
 * over the bound (the bytes of quotes, backslashes, brackets and commas never occur inside a multi-byte
 * character, so the bytes are scanned undecoded). Not a validation: what is not JSON is left to
 * `JSON.parse`. A long message is scanned a slice per turn of the event loop.
 */
export const messageBoundsRefusal = async (bytes: Uint8Array): Promise<string | null> => {
  let depth = 0;
  let values = 0;
  let inString = false;
  let escaped = false;
  for (let start = 0; start < bytes.length; start += SCAN_SLICE) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const end = Math.min(bytes.length, start + SCAN_SLICE);
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (++depth > MAX_MESSAGE_DEPTH) return `recursion limit exceeded: nested deeper than ${MAX_MESSAGE_DEPTH} levels at byte ${i + 1}`;
        if (++values > MAX_MESSAGE_VALUES) return `a message of more than ${MAX_MESSAGE_VALUES} values is over the limit`;
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
      else if (c === COMMA && ++values > MAX_MESSAGE_VALUES) return `a message of more than ${MAX_MESSAGE_VALUES} values is over the limit`;
    }
  }
  return null;
};
