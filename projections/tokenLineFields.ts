// long: one in-place byte scanner: its helpers share the module's cursor over the line (b, p, end); split, they would pass it around.
import type { RolloutEvent } from '../domain/rollout/event.js';
import type { TokenUsage } from '../domain/rollout/kinds/common.js';
import { bytesOf } from './linePrefix.js';

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
 * types given twice, a string the fold reads with an escape, nesting deeper than MAX_DEPTH, a
 * `token_count` whose info is not two usages — is `undefined`: the caller decodes the line in full
 * as before (`decodeLine` and `classifyRolloutLine`), so the result is the same either way
 * (test/projections/tokenLineFields.unit.spec.ts checks it against the codec path on generated and
 * real lines). The caller checks first that the bytes are UTF-8 (`isUtf8`), as it does for any line
 * it decodes. Pure.
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

/** Deeper values are left to the full decode (the byte walk below is recursive), whose parse refuses past 127 levels (domain/jsonNesting.ts parseJson). */
const MAX_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const TIMESTAMP_KEY = bytesOf('{"timestamp":');
const ORDINAL_KEY = bytesOf('"ordinal":');
const TYPE_KEY = bytesOf('"type":');
const PAYLOAD_KEY = bytesOf('"payload":');
const TRUE = bytesOf('true');
const FALSE = bytesOf('false');
const NULL = bytesOf('null');

/** The walk over one line: its bytes, where it stands, where the line ends. One at a time (the fold is synchronous). */
let b: Buffer = Buffer.alloc(0);
let p = 0;
let end = 0;

const holdsAt = (word: Uint8Array): boolean => {
  if (p + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word[i]) return false;
  p += word.length;
  return true;
};

const isHex = (c: number): boolean => (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/**
 * Pass over a string whose opening quote is at `p` (JSON.parse's rules: no raw control character,
 * only its escapes); -1 if it is not one, else the index of its closing quote, and `escaped` set
 * when it holds an escape. `p` moves past it.
 */
let escaped = false;
const passString = (): number => {
  if (at(p) !== QUOTE) return -1;
  escaped = false;
  // Locals: the loop runs over most of a line's bytes.
  const buf = b;
  const stop = end;
  let i = p + 1;
  while (i < stop) {
    const c = buf[i]!;
    if (c > BACKSLASH || (c > QUOTE && c !== BACKSLASH)) {
      i += 1;
      continue;
    }
    if (c === QUOTE) {
      p = i + 1;
      return i;
    }
    if (c < 0x20) return -1;
    if (c === BACKSLASH) {
      escaped = true;
      const e = at(i + 1);
      if (e === 0x75) {
        if (i + 6 > end || !isHex(b[i + 2]!) || !isHex(b[i + 3]!) || !isHex(b[i + 4]!) || !isHex(b[i + 5]!)) return -1;
        i += 6;
        continue;
      }
      // " \ / b f n r t
      if (
        e !== QUOTE &&
        e !== BACKSLASH &&
        e !== 0x2f &&
        e !== 0x62 &&
        e !== 0x66 &&
        e !== 0x6e &&
        e !== 0x72 &&
        e !== 0x74
      )
        return -1;
      i += 2;
      continue;
    }
    i += 1;
  }
  return -1;
};

/** A string's value, when it holds no escape (its bytes are its UTF-8); undefined otherwise. `p` moves past it. */
const plainString = (): string | undefined => {
  const from = p + 1;
  const close = passString();
  if (close < 0 || escaped) return undefined;
  return b.toString('utf8', from, close);
};

/** The byte at `i` of the line; -1 past its end. */
const at = (i: number): number => (i < end ? b[i]! : -1);
const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;

/** A number in JSON's grammar at `p` (its value as JSON.parse reads it); undefined if none. */
const number = (): number | undefined => {
  const from = p;
  let i = p;
  const negative = at(i) === MINUS;
  if (negative) i += 1;
  let v = 0;
  if (at(i) === ZERO) i += 1;
  else if (isDigit(at(i)))
    while (isDigit(at(i))) {
      v = v * 10 + (b[i]! - ZERO);
      i += 1;
    }
  else return undefined;
  let whole = true;
  if (at(i) === DOT) {
    whole = false;
    i += 1;
    if (!isDigit(at(i))) return undefined;
    while (isDigit(at(i))) i += 1;
  }
  if (at(i) === 0x65 || at(i) === 0x45) {
    whole = false;
    i += 1;
    if (at(i) === PLUS || at(i) === MINUS) i += 1;
    if (!isDigit(at(i))) return undefined;
    while (isDigit(at(i))) i += 1;
  }
  p = i;
  // Up to 15 digits an integer is summed exactly; JSON.parse's conversion for the rest (the same one as Number's).
  if (whole && i - from - (negative ? 1 : 0) <= 15) return negative ? -v : v;
  return Number(b.toString('latin1', from, i));
};

/** Pass over any JSON value at `p`; false if the bytes are not one (or nest deeper than MAX_DEPTH). */
const passValue = (depth: number): boolean => {
  const c = at(p);
  if (c === QUOTE) return passString() >= 0;
  if (c === OPEN_BRACE) {
    if (depth >= MAX_DEPTH) return false;
    p += 1;
    if (at(p) === CLOSE_BRACE) {
      p += 1;
      return true;
    }
    for (;;) {
      if (passString() < 0 || at(p) !== COLON) return false;
      p += 1;
      if (!passValue(depth + 1)) return false;
      if (at(p) === COMMA) p += 1;
      else if (at(p) === CLOSE_BRACE) {
        p += 1;
        return true;
      } else return false;
    }
  }
  if (c === OPEN_BRACKET) {
    if (depth >= MAX_DEPTH) return false;
    p += 1;
    if (at(p) === CLOSE_BRACKET) {
      p += 1;
      return true;
    }
    for (;;) {
      if (!passValue(depth + 1)) return false;
      if (at(p) === COMMA) p += 1;
      else if (at(p) === CLOSE_BRACKET) {
        p += 1;
        return true;
      } else return false;
    }
  }
  if (c === 0x74) return holdsAt(TRUE);
  if (c === 0x66) return holdsAt(FALSE);
  if (c === 0x6e) return holdsAt(NULL);
  return number() !== undefined;
};

/** `null` at `p` (moved past); false otherwise (`p` unmoved). */
const isNull = (): boolean => at(p) === 0x6e && holdsAt(NULL);

/** Sentinel: the value is not of the codec's type (or not JSON), the line goes to the full decode. */
const NOT_TAKEN = Symbol('not taken');
type Taken<T> = T | typeof NOT_TAKEN;

/** `optional(t.string)`: a string, or null. */
const stringOrNull = (): Taken<string | null> =>
  isNull() ? null : at(p) === QUOTE ? (plainString() ?? NOT_TAKEN) : NOT_TAKEN;
/** `optional(t.number)`. */
const numberOrNull = (): Taken<number | null> => (isNull() ? null : (number() ?? NOT_TAKEN));

/** What `nextKey` found: a key it does not know, the object's end, or bytes that are not JSON (or a key with an escape). */
const OTHER = -1;
const DONE = -2;
const BROKEN = -3;

/** Enter the object at `p` (false: none, or nested deeper than MAX_DEPTH): then `nextKey(…, true)` reads its first key. */
const enterObject = (depth: number): boolean => {
  if (at(p) !== OPEN_BRACE || depth >= MAX_DEPTH) return false;
  p += 1;
  return true;
};

/**
 * The index in `known` of the object's next key (its value at `p`), OTHER, DONE (`p` past the
 * object), or BROKEN. `first`: right after `enterObject`, else right after a value.
 */
const nextKey = (known: ReadonlyArray<Uint8Array>, first: boolean): number => {
  if (at(p) === CLOSE_BRACE) {
    p += 1;
    return DONE;
  }
  if (!first) {
    if (at(p) !== COMMA) return BROKEN;
    p += 1;
  }
  const from = p + 1;
  const close = passString();
  if (close < 0 || escaped || at(p) !== COLON) return BROKEN;
  p += 1;
  return keyIndex(known, from, close);
};

/** Index of the key whose bytes are `b[from, to)` in `known` (ASCII names), -1 if none. */
const keyIndex = (known: ReadonlyArray<Uint8Array>, from: number, to: number): number => {
  const len = to - from;
  for (let k = 0; k < known.length; k++) {
    const name = known[k]!;
    if (name.length !== len) continue;
    let i = 0;
    while (i < len && b[from + i] === name[i]) i += 1;
    if (i === len) return k;
  }
  return OTHER;
};

const keys = (...names: string[]): ReadonlyArray<Uint8Array> => names.map(bytesOf);

/**
 * Walk the object at `p` (its keys in any order), giving each key `known` holds to `field`
 * (false: not taken) and passing over the others as any JSON; false if the bytes are not an
 * object, a key has an escape, or a known key comes twice (JSON.parse keeps the last). `p` moves
 * past the object. At most 31 known keys (a bit each).
 */
const walkObject = (depth: number, known: ReadonlyArray<Uint8Array>, field: (k: number) => boolean): boolean => {
  if (!enterObject(depth)) return false;
  let seen = 0;
  for (let k = nextKey(known, true); k !== DONE; k = nextKey(known, false)) {
    if (k === BROKEN) return false;
    if (k === OTHER) {
      if (!passValue(depth + 1)) return false;
      continue;
    }
    if ((seen & (1 << k)) !== 0 || !field(k)) return false;
    seen |= 1 << k;
  }
  return true;
};

/** `TokenUsage` (domain/rollout/kinds/common.ts): an object whose six counts, where present, are numbers. */
/** `TokenUsage`'s six counts, in the order Codex writes them. */
export const TOKEN_USAGE_KEYS = [
  'input_tokens',
  'cached_input_tokens',
  'cache_write_input_tokens',
  'output_tokens',
  'reasoning_output_tokens',
  'total_tokens',
] as const;
const USAGE_KEYS = keys(...TOKEN_USAGE_KEYS);
/** The six counts as Codex writes them, each key with what comes before it: the usual usage is matched as a whole. */
const USAGE_LAYOUT = TOKEN_USAGE_KEYS.map((k, i) => bytesOf(`${i === 0 ? '{' : ','}"${k}":`));
/** What a usage the caller only checks stands for (`built` false). */
const CHECKED: TokenUsage = {};
const usage = (depth: number, built = true): Taken<TokenUsage> => {
  const from = p;
  if (holdsAt(USAGE_LAYOUT[0]!)) {
    const input = number();
    if (input !== undefined && holdsAt(USAGE_LAYOUT[1]!)) {
      const cached = number();
      if (cached !== undefined && holdsAt(USAGE_LAYOUT[2]!)) {
        const cacheWrite = number();
        if (cacheWrite !== undefined && holdsAt(USAGE_LAYOUT[3]!)) {
          const output = number();
          if (output !== undefined && holdsAt(USAGE_LAYOUT[4]!)) {
            const reasoning = number();
            if (reasoning !== undefined && holdsAt(USAGE_LAYOUT[5]!)) {
              const total = number();
              if (total !== undefined && at(p) === CLOSE_BRACE) {
                p += 1;
                if (!built) return CHECKED;
                return {
                  input_tokens: input,
                  cached_input_tokens: cached,
                  cache_write_input_tokens: cacheWrite,
                  output_tokens: output,
                  reasoning_output_tokens: reasoning,
                  total_tokens: total,
                };
              }
            }
          }
        }
      }
    }
  }
  // Another layout: key by key.
  p = from;
  if (!enterObject(depth)) return NOT_TAKEN;
  let input: number | undefined;
  let cached: number | undefined;
  let cacheWrite: number | undefined;
  let output: number | undefined;
  let reasoning: number | undefined;
  let total: number | undefined;
  let seen = 0;
  for (let k = nextKey(USAGE_KEYS, true); k !== DONE; k = nextKey(USAGE_KEYS, false)) {
    if (k === BROKEN) return NOT_TAKEN;
    if (k === OTHER) {
      if (!passValue(depth + 1)) return NOT_TAKEN;
      continue;
    }
    if ((seen & (1 << k)) !== 0) return NOT_TAKEN;
    seen |= 1 << k;
    const n = number();
    if (n === undefined) return NOT_TAKEN;
    if (k === 0) input = n;
    else if (k === 1) cached = n;
    else if (k === 2) cacheWrite = n;
    else if (k === 3) output = n;
    else if (k === 4) reasoning = n;
    else total = n;
  }
  // Codex writes all six: one literal of them (absent ones as the decode leaves them, missing).
  if (seen === 0b111111)
    return {
      input_tokens: input!,
      cached_input_tokens: cached!,
      cache_write_input_tokens: cacheWrite!,
      output_tokens: output!,
      reasoning_output_tokens: reasoning!,
      total_tokens: total!,
    };
  const u: { -readonly [K in keyof TokenUsage]: TokenUsage[K] } = {};
  if (input !== undefined) u.input_tokens = input;
  if (cached !== undefined) u.cached_input_tokens = cached;
  if (cacheWrite !== undefined) u.cache_write_input_tokens = cacheWrite;
  if (output !== undefined) u.output_tokens = output;
  if (reasoning !== undefined) u.reasoning_output_tokens = reasoning;
  if (total !== undefined) u.total_tokens = total;
  return u;
};
const usageOrNull = (depth: number, built = true): Taken<TokenUsage | null> => (isNull() ? null : usage(depth, built));

/** Whether the string at `p` is `word` (no escape), `p` moved past it; false if not (`p` moved anywhere). */
const isString = (word: Uint8Array): boolean => {
  if (at(p) !== QUOTE) return false;
  const from = p + 1;
  const close = passString();
  if (close < 0 || close - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[from + i] !== word[i]) return false;
  return true;
};

/**
 * `event_msg/token_count` (`TokenCount`: `info`, `rate_limits` unknown to the codec). Taken only
 * when `info` is null or absent, or an object whose `total_token_usage` is a usage and whose
 * `last_token_usage`, if present, a usage or null (what the fold's `CountInfo` reads); any other
 * info (Codex writes none) goes to the full decode.
 */
const TOKEN_COUNT = bytesOf('token_count');
const TOKEN_COUNT_KEYS = keys('type', 'info');
const INFO_KEYS = keys('total_token_usage', 'last_token_usage');
let total: Taken<TokenUsage> | undefined;
let last: Taken<TokenUsage | null> | undefined;
const infoField = (k: number): boolean => {
  if (k === 0) total = usage(3);
  else last = usageOrNull(3);
  return (k === 0 ? total : last) !== NOT_TAKEN;
};
let typed = false;
let info: { total_token_usage: TokenUsage; last_token_usage?: TokenUsage | null } | null | undefined;
const tokenCountField = (k: number): boolean => {
  if (k === 0) return (typed = isString(TOKEN_COUNT));
  if (isNull()) {
    info = null;
    return true;
  }
  total = undefined;
  last = undefined;
  if (!walkObject(2, INFO_KEYS, infoField) || total === undefined || total === NOT_TAKEN || last === NOT_TAKEN)
    return false;
  info = last === undefined ? { total_token_usage: total } : { total_token_usage: total, last_token_usage: last };
  return true;
};
const tokenCount = (): RolloutEvent | undefined => {
  typed = false;
  info = undefined;
  if (!walkObject(1, TOKEN_COUNT_KEYS, tokenCountField) || !typed) return undefined;
  return { kind: 'tokenCount', payload: info === undefined ? { type: 'token_count' } : { type: 'token_count', info } };
};

/** `event_msg/task_started` (`TaskStarted`): `turn_id` a string; the codec's other typed fields of their types. */
const TASK_STARTED = bytesOf('task_started');
const TASK_STARTED_KEYS = keys(
  'type',
  'turn_id',
  'root_turn_id',
  'started_at',
  'model_context_window',
  'collaboration_mode_kind',
);
let turnId: string | undefined;
const taskStartedField = (k: number): boolean => {
  switch (k) {
    case 0:
      return (typed = isString(TASK_STARTED));
    case 1:
      turnId = at(p) === QUOTE ? plainString() : undefined;
      return turnId !== undefined;
    case 2:
    case 5:
      return stringOrNull() !== NOT_TAKEN;
    default:
      return numberOrNull() !== NOT_TAKEN;
  }
};
const taskStarted = (): RolloutEvent | undefined => {
  typed = false;
  turnId = undefined;
  if (!walkObject(1, TASK_STARTED_KEYS, taskStartedField) || !typed || turnId === undefined) return undefined;
  return { kind: 'taskStarted', payload: { type: 'task_started', turn_id: turnId } };
};

/** The string-or-null fields a kind's fold reads, by key index (undefined: absent). */
const strings: Array<string | null | undefined> = [undefined, undefined, undefined];

/** `turn_context` (`TurnContextPayload`): its five typed fields strings or null; a payload `type` goes to the full decode. */
const TURN_CONTEXT_KEYS = keys('turn_id', 'model', 'cwd', 'root_turn_id', 'effort', 'type');
const turnContextField = (k: number): boolean => {
  if (k === 5) return false;
  const v = stringOrNull();
  if (v === NOT_TAKEN) return false;
  if (k < 3) strings[k] = v;
  return true;
};
const turnContext = (): RolloutEvent | undefined => {
  strings[0] = strings[1] = strings[2] = undefined;
  if (!walkObject(1, TURN_CONTEXT_KEYS, turnContextField)) return undefined;
  const payload: { turn_id?: string | null; model?: string | null; cwd?: string | null } = {};
  if (strings[0] !== undefined) payload.turn_id = strings[0];
  if (strings[1] !== undefined) payload.model = strings[1];
  if (strings[2] !== undefined) payload.cwd = strings[2];
  return { kind: 'turnContext', payload };
};

/** `token_usage_record` (`TokenUsageRecordPayload`): `usage` a usage; its ids strings or null, its sums usages or null. */
const RECORD_KEYS = keys(
  'thread_id',
  'turn_id',
  'response_id',
  'usage',
  'session_id',
  'root_turn_id',
  'turn_token_usage',
  'thread_token_usage',
  'type',
);
let used: Taken<TokenUsage> | undefined;
const recordField = (k: number): boolean => {
  if (k === 3) {
    used = usage(2);
    return used !== NOT_TAKEN;
  }
  if (k === 8) return false;
  if (k >= 6) return usageOrNull(2, false) !== NOT_TAKEN; // the record's sums: checked, not read
  const v = stringOrNull();
  if (v === NOT_TAKEN) return false;
  if (k < 3) strings[k] = v;
  return true;
};
const tokenUsageRecord = (): RolloutEvent | undefined => {
  used = undefined;
  strings[0] = strings[1] = strings[2] = undefined;
  if (!walkObject(1, RECORD_KEYS, recordField) || used === undefined || used === NOT_TAKEN) return undefined;
  const payload: {
    usage: TokenUsage;
    thread_id?: string | null;
    turn_id?: string | null;
    response_id?: string | null;
  } = { usage: used };
  if (strings[0] !== undefined) payload.thread_id = strings[0];
  if (strings[1] !== undefined) payload.turn_id = strings[1];
  if (strings[2] !== undefined) payload.response_id = strings[2];
  return { kind: 'tokenUsageRecord', payload };
};

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

/** The kind whose name is the string at `p` (no escape), `p` moved past it; undefined if none. */
const kindAt = (kinds: ReadonlyArray<Kind>): Kind | undefined => {
  if (at(p) !== QUOTE) return undefined;
  const from = p + 1;
  const close = passString();
  if (close < 0 || escaped) return undefined;
  const i = keyIndex(kinds === TOP_KINDS ? TOP_NAMES : EVENT_NAMES, from, close);
  return i >= 0 ? kinds[i] : undefined;
};

/**
 * The fields of the line `bytes[start, stop)` (UTF-8, no "\n"), or undefined when only a full
 * decode can tell (see above).
 */
export const tokenLineFields = (bytes: Buffer, start: number, stop: number): TokenLineFields | undefined => {
  b = bytes;
  p = start;
  end = stop;
  try {
    return envelope();
  } finally {
    b = EMPTY;
  }
};
const EMPTY = Buffer.alloc(0);

/** `{"timestamp":"…",("ordinal":n,)?"type":"…","payload":{…}}` and nothing after it. */
const envelope = (): TokenLineFields | undefined => {
  if (!holdsAt(TIMESTAMP_KEY) || at(p) !== QUOTE) return undefined;
  const timestamp = plainString();
  if (timestamp === undefined || at(p) !== COMMA) return undefined;
  p += 1;
  let ordinal: number | undefined;
  if (holdsAt(ORDINAL_KEY)) {
    ordinal = number();
    if (ordinal === undefined || at(p) !== COMMA) return undefined;
    p += 1;
  }
  if (!holdsAt(TYPE_KEY)) return undefined;
  const typeAt = p;
  let k: Kind | undefined;
  if (isString(EVENT_MSG)) {
    if (at(p) !== COMMA) return undefined;
    p += 1;
    if (!holdsAt(PAYLOAD_KEY)) return undefined;
    const payloadAt = p;
    if (!holdsAt(EVENT_PAYLOAD_TYPE)) return undefined;
    k = kindAt(EVENT_KINDS);
    p = payloadAt;
  } else {
    p = typeAt;
    k = kindAt(TOP_KINDS);
    if (at(p) !== COMMA) return undefined;
    p += 1;
    if (!holdsAt(PAYLOAD_KEY)) return undefined;
  }
  if (k === undefined) return undefined;
  const event = k.read();
  if (event === undefined || p !== end - 1 || at(p) !== CLOSE_BRACE) return undefined;
  return { timestamp, ordinal, type: k.type, payloadType: k.payloadType, event };
};
