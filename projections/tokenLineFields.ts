import type { RolloutEvent } from '../domain/rollout/event.js';
import { bytesOf } from './linePrefix.js';
import {
  CLOSE_BRACE,
  COMMA,
  holdsAt,
  isLastByte,
  isString,
  moveTo,
  number,
  overLine,
  peek,
  plainString,
  position,
  QUOTE,
  skipByte,
  stringIndex,
} from './tokenLineCursor.js';
import { taskStarted, tokenCount, tokenUsageRecord, turnContext } from './tokenLinePayloads.js';

/**
 * The few fields the token fold reads (domain/tokens/responseFold.ts `TOKEN_RULES`) of the lines
 * Codex writes most often in a rollout — `event_msg/token_count`, `token_usage_record`,
 * `event_msg/task_started`, `turn_context` — read from the line's bytes in place, without
 * `JSON.parse` of the whole line and the io-ts codecs after it. Exact by construction: a line is
 * taken only when its bytes are in Codex's compact layout (serde_json's output, no whitespace:
 * the envelope's keys in the order `timestamp, ordinal?, type, payload` and an event message's
 * payload tagged by its first key, `type`, as codex 0.169.0 writes them, test/fixtures/
 * codexTokenLines.ts; the payloads' keys in any order: codex-rs `protocol/src/protocol.rs`
 * `TokenCountEvent` `{info, rate_limits}`, `TokenUsageInfo` `{total_token_usage, last_token_usage,
 * …}`, `TokenUsage`'s counts), every byte of it
 * JSON that `JSON.parse` accepts, and every field the kind's codec types (domain/rollout/kinds/)
 * of the type it asks; the other fields are passed over byte by byte (checked as JSON, never
 * built). Anything else — whitespace between tokens, a key written with an escape, a key the codec
 * types given twice, a string the fold reads with an escape, nesting deeper than MAX_DEPTH (tokenLineCursor.ts), a
 * `token_count` whose info is not two usages — is `undefined`: the caller decodes the line in full
 * as before (`decodeLine` and `classifyRolloutLine`), so the result is the same either way
 * (test/projections/tokenLineFields.unit.spec.ts checks it against the codec path on generated and
 * real lines). The caller checks first that the bytes are UTF-8 (`isUtf8`), as it does for any line
 * it decodes. Pure. Here the envelope; the cursor and the JSON it reads, tokenLineCursor.ts; each
 * kind's payload, tokenLinePayloads.ts.
 */

/** A line read by its fields: the envelope's values and the kind's event, as the full decode would give them to the fold. */
export interface TokenLineFields {
  readonly timestamp: string;
  readonly ordinal: number | undefined;
  readonly type: string;
  /** `payload.type` (event messages; undefined for the top-level kinds, whose payload has none here). */
  readonly payloadType: string | undefined;
  readonly event: RolloutEvent;
}

const TIMESTAMP_KEY = bytesOf('{"timestamp":');
const ORDINAL_KEY = bytesOf('"ordinal":');
const TYPE_KEY = bytesOf('"type":');
const PAYLOAD_KEY = bytesOf('"payload":');

/** The kinds read here: the line's `type`, its payload's `type` (event messages), and the reader of its payload. */
interface Kind {
  readonly type: string;
  readonly payloadType: string | undefined;
  /** The name read on the line (the payload's type for an event message). */
  readonly name: Uint8Array;
  readonly read: () => RolloutEvent | undefined;
}
const kind = (type: string, payloadType: string | undefined, read: () => RolloutEvent | undefined): Kind => ({
  type,
  payloadType,
  name: bytesOf(payloadType ?? type),
  read,
});
const TOP_KINDS: ReadonlyArray<Kind> = [
  kind('turn_context', undefined, turnContext),
  kind('token_usage_record', undefined, tokenUsageRecord),
];
const EVENT_KINDS: ReadonlyArray<Kind> = [
  kind('event_msg', 'token_count', tokenCount),
  kind('event_msg', 'task_started', taskStarted),
];
const TOP_NAMES = TOP_KINDS.map((k) => k.name);
const EVENT_NAMES = EVENT_KINDS.map((k) => k.name);
const EVENT_MSG = bytesOf('event_msg');
/** An event message's payload: its type is its first key (serde's internally tagged enum). */
const EVENT_PAYLOAD_TYPE = bytesOf('{"type":');

/** The kind whose name is the string at the cursor (no escape), the cursor moved past it; undefined if none. */
const kindAt = (kinds: ReadonlyArray<Kind>): Kind | undefined => {
  const i = stringIndex(kinds === TOP_KINDS ? TOP_NAMES : EVENT_NAMES);
  return i >= 0 ? kinds[i] : undefined;
};

/**
 * The fields of the line `bytes[start, stop)` (UTF-8, no "\n"), or undefined when only a full
 * decode can tell (see above).
 */
export const tokenLineFields = (bytes: Buffer, start: number, stop: number): TokenLineFields | undefined =>
  overLine(bytes, start, stop, envelope);

/** `{"timestamp":"…",("ordinal":n,)?"type":"…","payload":{…}}` and nothing after it. */
const envelope = (): TokenLineFields | undefined => {
  if (!holdsAt(TIMESTAMP_KEY) || peek() !== QUOTE) return undefined;
  const timestamp = plainString();
  if (timestamp === undefined || !skipByte(COMMA)) return undefined;
  let ordinal: number | undefined;
  if (holdsAt(ORDINAL_KEY)) {
    ordinal = number();
    if (ordinal === undefined || !skipByte(COMMA)) return undefined;
  }
  if (!holdsAt(TYPE_KEY)) return undefined;
  const typeAt = position();
  let k: Kind | undefined;
  if (isString(EVENT_MSG)) {
    if (!skipByte(COMMA)) return undefined;
    if (!holdsAt(PAYLOAD_KEY)) return undefined;
    const payloadAt = position();
    if (!holdsAt(EVENT_PAYLOAD_TYPE)) return undefined;
    k = kindAt(EVENT_KINDS);
    moveTo(payloadAt);
  } else {
    moveTo(typeAt);
    k = kindAt(TOP_KINDS);
    if (!skipByte(COMMA)) return undefined;
    if (!holdsAt(PAYLOAD_KEY)) return undefined;
  }
  if (k === undefined) return undefined;
  const event = k.read();
  if (event === undefined || !isLastByte(CLOSE_BRACE)) return undefined;
  return { timestamp, ordinal, type: k.type, payloadType: k.payloadType, event };
};
