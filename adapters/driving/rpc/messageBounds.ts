/**
 * What a JSON-RPC message may be beyond its size, checked by one linear scan of its text before
 * `JSON.parse` builds anything: V8 parses `[[[[…]]]]` without a depth limit, and 16 MiB of it
 * became ~1 GB of arrays and seconds of a blocked event loop (issue 39); 16 MiB of `[],[],…` or
 * of one object's members cost 300–500 MB and 4–6 s the same way. The size limits
 * (`--max-request-bytes`, the WebSocket's 16 MiB) bound the bytes; these bound what they parse to.
 */
import { JsonStructureScan, SERDE_MAX_DEPTH } from '../../../domain/jsonNesting.js';

/** The deepest nesting a message may have: what Codex parses (serde_json's limit), so no message a Codex client sends is deeper. */
export const MAX_MESSAGE_DEPTH = SERDE_MAX_DEPTH;

/**
 * The most values a message may hold (containers, array elements, object members: every `[`,
 * `{` and `,` outside strings). Beyond Codex, which has no such bound: no method takes more than a
 * few thousand (a `rollout/append`'s lines are strings, one value each), and 100,000 keeps one
 * message's parse within tens of MB whatever its shape.
 */
export const MAX_MESSAGE_VALUES = 100_000;

/** Bytes scanned between two turns of the event loop: a 16 MiB message does not hold the other clients' answers back. */
const SCAN_SLICE = 1 << 20;

/**
 * Why a message's UTF-8 bytes may not be parsed (the words of the `-32700` it gets), or `null`:
 * the nesting and the values outside strings are counted, stopping at the first level or value
 * over the bound (the bytes of quotes, backslashes, brackets and commas never occur inside a multi-byte
 * character, so the bytes are scanned undecoded). Not a validation: what is not JSON is left to
 * `JSON.parse`. A long message is scanned a slice per turn of the event loop.
 */
export const messageBoundsRefusal = async (bytes: Uint8Array): Promise<string | null> => {
  const scan = new JsonStructureScan();
  let values = 0;
  for (let start = 0; start < bytes.length; start += SCAN_SLICE) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const end = Math.min(bytes.length, start + SCAN_SLICE);
    for (let i = start; i < end; i++) {
      const step = scan.step(bytes[i]!);
      if (step === 'open' && scan.depth > MAX_MESSAGE_DEPTH)
        return `recursion limit exceeded: nested deeper than ${MAX_MESSAGE_DEPTH} levels at byte ${i + 1}`;
      if ((step === 'open' || step === 'comma') && ++values > MAX_MESSAGE_VALUES)
        return `a message of more than ${MAX_MESSAGE_VALUES} values is over the limit`;
    }
  }
  return null;
};
