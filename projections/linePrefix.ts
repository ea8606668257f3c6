/**
 * What a line's first bytes tell, without parsing it: whether any projection reads the line, and
 * which long strings in it none reads. No domain codecs here: the reader thread loads only this.
 *
 * Codex writes compact JSON with keys in the order `timestamp, ordinal, type,
 * payload`, so a line's kind is readable from its first bytes. Lines of kinds no projection reads
 * (model context, world state, compaction history, tool output events: most of a rollout's bytes)
 * are never parsed; the runner still records their position and timestamp. Anything that does not
 * match the prefix (other key order, older formats) is parsed in full, so the shortcut can only
 * save work. The kinds come from the decoder's list (`domain/rollout/lineKinds.ts`: names only, no
 * codecs).
 */
import {
  codexNumbersLegacyLine,
  EVENT_MSG_KINDS,
  type EventMsgType,
  type TopLevelType,
} from '../domain/rollout/lineKinds.js';

const PREFIX =
  /^\{"timestamp":"([^"\\]*)",(?:"ordinal":(\d+),)?"type":"([a-z_]+)"(?:,"payload":\{"type":"([A-Za-z_]+)")?/;

/** Bytes of a line that always hold its prefix (timestamps and kind names are short). */
export const PREFIX_BYTES = 300;

/**
 * Whether any projection reads a top-level kind the decoder knows, per kind (a kind added to the
 * decoder's list, `domain/rollout/lineKinds.ts`, is a compile error here until it is decided).
 * Top-level types the decoder does not know are read (decoded as `other`).
 */
export const TOP_LEVEL_READ: { readonly [K in TopLevelType]: true | { readonly skipped: string } } = {
  session_meta: true,
  turn_context: true,
  token_usage_record: true,
  world_state: { skipped: 'model context only: no projection reads it' },
  compacted: { skipped: 'compaction history: the items come from context_compacted / item_completed' },
};
const SKIPPED_TOP: ReadonlySet<string> = new Set(
  Object.entries(TOP_LEVEL_READ).flatMap(([type, read]) => (read === true ? [] : [type])),
);

/** The event messages the turn fold and the other projections read: every one the decoder knows (the others are skipped). */
export const NEEDED_EVENT_MSGS: ReadonlySet<string> = new Set(Object.keys(EVENT_MSG_KINDS));

/**
 * User and assistant response messages hold text `thread/search` looks in (projections/search.ts):
 * of the response items only developer and system messages are skipped (a message whose role the
 * prefix does not show is read).
 */
const UNSEARCHED_MESSAGE = /"payload":\{"type":"message",(?:"id":"[^"\\]*",)?"role":"(?:developer|system)"/;

export interface LazyOptions {
  /**
   * Early rollouts (upcast, no item events) take their items and preview from the model-context
   * `response_item` messages, so those are needed; everywhere else they are skipped.
   */
  readonly itemsFromResponses?: boolean;
  /** Only the token projection folds the lines (`TOKEN_PROJECTION_SUBSET`): every other kind is skipped. */
  readonly tokensOnly?: boolean;
}

/** The kinds the token projection reads (domain/tokens/responseFold.ts, and session_meta for its state). */
export const TOKEN_TOP: ReadonlySet<string> = new Set<TopLevelType>([
  'session_meta',
  'turn_context',
  'token_usage_record',
]);
export const TOKEN_EVENT_MSGS: ReadonlySet<string> = new Set<EventMsgType>([
  'token_count',
  'task_started',
  'thread_settings_applied',
]);

/**
 * A line no projection reads: its timestamp, ordinal and type, and `unnumbered` when Codex would
 * not give it a place in a legacy file's implicit turn numbers (a ghost snapshot, an event it
 * leaves out: `codexNumbersLegacyLine`), which the turn fold must still count out.
 */
export type SkippedLine = {
  readonly kind: 'skipped';
  readonly timestamp: string;
  readonly ordinal: number | null;
  readonly type: string;
  readonly unnumbered?: true;
};

/** The skipped-line view, `unnumbered` only where it is so (most skipped lines are numbered). */
const skippedLine = (
  timestamp: string,
  ordinal: number | null,
  type: string,
  pType: string | undefined,
): SkippedLine =>
  codexNumbersLegacyLine(type, pType)
    ? { kind: 'skipped', timestamp, ordinal, type }
    : { kind: 'skipped', timestamp, ordinal, type, unnumbered: true };

/**
 * The skipped-line view of a line no projection reads, from its first bytes (`prefix`, at most
 * PREFIX_BYTES characters); undefined when the line must be decoded (or the prefix is not
 * Codex's compact layout). Pure.
 */
export const skipByPrefix = (prefix: string, opts: LazyOptions = {}): SkippedLine | undefined => {
  const m = PREFIX.exec(prefix);
  if (!m) return undefined;
  const type = m[3]!;
  const pType = m[4];
  // A payload that is not an object (wrong type) is decoded, so it is quarantined, never skipped unseen.
  if (pType === undefined && !prefix.startsWith(',"payload":{', m[0].length)) return undefined;
  if (type === 'compacted' && !prefix.startsWith(COMPACTED_MESSAGE, m[0].length)) return undefined;
  return isSkipped(type, pType, opts, () => UNSEARCHED_MESSAGE.test(prefix))
    ? skippedLine(m[1]!, m[2] === undefined ? null : Number(m[2]), type, pType)
    : undefined;
};

/**
 * A compaction Codex decodes has its `message` (codex-rs `protocol/src/protocol.rs` `CompactedItem`:
 * a `String` with no default), which its writer puts first: one whose payload does not begin so
 * is decoded in full, and one without the message is a line Codex cannot read (no place in
 * implicit turn numbers; measured on 0.169.0: metaRules.compat.spec.ts).
 */
const COMPACTED_MESSAGE = ',"payload":{"message":"';
const COMPACTED_MESSAGE_BYTES = bytesOfAscii(COMPACTED_MESSAGE);
const COMPACTED = bytesOfAscii('compacted');

/** Whether no projection reads a line of this kind (`unsearched`: asked only of a response message). */
const isSkipped = (type: string, pType: string | undefined, opts: LazyOptions, unsearched: () => boolean): boolean =>
  opts.tokensOnly === true
    ? !(TOKEN_TOP.has(type) || (type === 'event_msg' && (pType === undefined || TOKEN_EVENT_MSGS.has(pType))))
    : SKIPPED_TOP.has(type) ||
      (type === 'response_item' && opts.itemsFromResponses !== true && (pType !== 'message' || unsearched())) ||
      (type === 'event_msg' && pType !== undefined && !NEEDED_EVENT_MSGS.has(pType));

/**
 * What a line's bytes tell by their prefix (`skipByPrefix` of its ASCII prefix, read from the
 * bytes): `skipped` (no projection reads it), `read` (its prefix is Codex's layout and a
 * projection reads it), or `unknown` (not that layout: only a full decode tells). Reading the
 * bytes in place allocates nothing for a line that is read, and only its timestamp and kind for a
 * skipped one. The regular expression over a decoded prefix (run again on a read line's text)
 * cost a cold build of small real lines garbage on every line, a large share of all it
 * allocated, and about twice the time of this. Pure.
 */
export type PrefixVerdict = SkippedLine | { readonly kind: 'read' } | { readonly kind: 'unknown' };

const READ: PrefixVerdict = { kind: 'read' };
const UNKNOWN: PrefixVerdict = { kind: 'unknown' };

const QUOTE = 0x22;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** An ASCII word's bytes (to compare with a line's in place). */
export const bytesOf = (s: string): Uint8Array => bytesOfAscii(s);
function bytesOfAscii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
const TIMESTAMP_KEY = bytesOf('{"timestamp":"');
const ORDINAL_KEY = bytesOf('"ordinal":');
const TYPE_KEY = bytesOf('"type":"');
const PAYLOAD_KEY = bytesOf(',"payload":{');
const PAYLOAD_TYPE_KEY = bytesOf(',"payload":{"type":"');

/** Whether `bytes` hold `word` at `at`, all of it before `end`. */
const holds = (bytes: Uint8Array, at: number, word: Uint8Array, end: number): boolean => {
  if (at + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
};

/** `[a-z_]` (lower) or `[A-Za-z_]`. */
const isKindByte = (c: number, upper: boolean): boolean =>
  (c >= 0x61 && c <= 0x7a) || c === 0x5f || (upper && c >= 0x41 && c <= 0x5a);

/** End of a run of kind bytes from `at` that a quote closes before `end`; -1 if none (PREFIX's `([a-z_]+)"`). */
const kindEnd = (bytes: Uint8Array, at: number, end: number, upper: boolean): number => {
  let i = at;
  while (i < end && isKindByte(bytes[i]!, upper)) i += 1;
  return i > at && i < end && bytes[i] === QUOTE ? i : -1;
};

const latin1 = (bytes: Buffer, from: number, to: number): string => bytes.toString('latin1', from, to);

/**
 * A line's first bytes (at most PREFIX_BYTES) as text, usable only while ASCII: a multi-byte
 * character may be cut anywhere in it. Cut at the first other byte, it is no prefix at 32 or
 * fewer. Only long lines (elideLineBytes.ts) and response messages (their role) need it now, so
 * it scans without node:buffer's isAscii (which this pure module may not import).
 */
export const asciiPrefix = (bytes: Buffer): string | undefined => {
  const n = Math.min(PREFIX_BYTES, bytes.length);
  let i = 0;
  while (i < n && bytes[i]! < 0x80) i += 1;
  return i === n || i > 32 ? latin1(bytes, 0, i) : undefined;
};

/**
 * Where the parts of a line's prefix lie (offsets into its buffer), as `prefixAt` last found them:
 * one object reused, so reading a prefix in place allocates nothing.
 */
const found = { tsFrom: 0, tsTo: 0, ordinal: null as number | null, typeFrom: 0, typeTo: 0, pFrom: -1, pTo: -1 };

/** PREFIX over the line at `[start, lineEnd)` of `bytes` (its first PREFIX_BYTES, ASCII only: a multi-byte character is never matched), into `found`. */
const prefixAt = (bytes: Buffer, start: number, lineEnd: number): boolean => {
  const end = start + Math.min(PREFIX_BYTES, lineEnd - start);
  if (!holds(bytes, start, TIMESTAMP_KEY, end)) return false;
  const tsFrom = start + TIMESTAMP_KEY.length;
  let p = tsFrom;
  for (; p < end; p++) {
    const c = bytes[p]!;
    if (c === QUOTE || c === 0x5c || c >= 0x80) break;
  }
  if (p + 1 >= end || bytes[p] !== QUOTE || bytes[p + 1] !== 0x2c) return false;
  found.tsFrom = tsFrom;
  found.tsTo = p;
  p += 2;
  found.ordinal = null;
  if (holds(bytes, p, ORDINAL_KEY, end)) {
    let d = p + ORDINAL_KEY.length;
    const from = d;
    let n = 0;
    while (d < end && bytes[d]! >= DIGIT_0 && bytes[d]! <= DIGIT_9) n = n * 10 + (bytes[d++]! - DIGIT_0);
    // `(?:"ordinal":(\d+),)?`: without digits and a comma the group is absent, and `"type"` must follow here.
    if (d > from && d < end && bytes[d] === 0x2c) {
      // Long digit runs: as Number() reads them (beyond 2^53 the running sum rounds otherwise).
      found.ordinal = d - from > 15 ? Number(latin1(bytes, from, d)) : n;
      p = d + 1;
    }
  }
  if (!holds(bytes, p, TYPE_KEY, end)) return false;
  found.typeFrom = p + TYPE_KEY.length;
  found.typeTo = kindEnd(bytes, found.typeFrom, end, false);
  if (found.typeTo < 0) return false;
  p = found.typeTo + 1;
  found.pFrom = -1;
  found.pTo = -1;
  if (holds(bytes, p, PAYLOAD_TYPE_KEY, end)) {
    const pFrom = p + PAYLOAD_TYPE_KEY.length;
    const pTo = kindEnd(bytes, pFrom, end, true);
    if (pTo >= 0) {
      found.pFrom = pFrom;
      found.pTo = pTo;
    }
  }
  return found.pFrom >= 0 || holds(bytes, p, PAYLOAD_KEY, end);
};

export const prefixVerdictOfBytes = (bytes: Buffer, opts: LazyOptions = {}): PrefixVerdict => {
  if (!prefixAt(bytes, 0, bytes.length)) return UNKNOWN;
  const pType = found.pFrom < 0 ? undefined : latin1(bytes, found.pFrom, found.pTo);
  const type = latin1(bytes, found.typeFrom, found.typeTo);
  // The role of a response message: the same expression over the prefix, for these lines only
  // (the layout matched, so the prefix is there).
  const unsearched = () => UNSEARCHED_MESSAGE.test(asciiPrefix(bytes) ?? '');
  if (!isSkipped(type, pType, opts, unsearched)) return READ;
  if (
    opts.tokensOnly !== true &&
    isWord(bytes, found.typeFrom, found.typeTo, COMPACTED) &&
    !holds(bytes, found.typeTo + 1, COMPACTED_MESSAGE_BYTES, bytes.length)
  )
    return READ;
  return skippedLine(latin1(bytes, found.tsFrom, found.tsTo), found.ordinal, type, pType);
};

const EVENT_MSG = bytesOf('event_msg');
const TOKEN_TOP_BYTES = [...TOKEN_TOP].map(bytesOf);
const TOKEN_EVENT_MSG_BYTES = [...TOKEN_EVENT_MSGS].map(bytesOf);

/** Whether `bytes[from, to)` are `word`. */
const isWord = (bytes: Uint8Array, from: number, to: number, word: Uint8Array): boolean =>
  to - from === word.length && holds(bytes, from, word, to);

const isOneOf = (bytes: Uint8Array, from: number, to: number, words: ReadonlyArray<Uint8Array>): boolean => {
  for (const w of words) if (isWord(bytes, from, to, w)) return true;
  return false;
};

/**
 * `prefixVerdictOfBytes(line, { tokensOnly: true }).kind` for the line at `[start, end)` of
 * `bytes`, read in place and allocating nothing (the lean catch-up of the token projection
 * alone skips most lines of a rollout by this). Pure.
 */
export const tokenLineVerdictAt = (bytes: Buffer, start: number, end: number): PrefixVerdict['kind'] => {
  if (!prefixAt(bytes, start, end)) return 'unknown';
  if (isOneOf(bytes, found.typeFrom, found.typeTo, TOKEN_TOP_BYTES)) return 'read';
  if (!isWord(bytes, found.typeFrom, found.typeTo, EVENT_MSG)) return 'skipped';
  return found.pFrom < 0 || isOneOf(bytes, found.pFrom, found.pTo, TOKEN_EVENT_MSG_BYTES) ? 'read' : 'skipped';
};

/**
 * Long string values no projection reads, by line kind: a command's output in its
 * `item_completed`, the base instructions in `session_meta` (the threads projection drops them). In a
 * long line their contents are dropped before parsing (the value stays a string, so the codecs
 * see the same shapes); the line's raw text is kept as stored.
 */
const UNREAD_STRINGS: ReadonlyArray<{ readonly kind: RegExp; readonly keys: ReadonlyArray<string> }> = [
  {
    kind: /^\{"timestamp":"[^"\\]*",(?:"ordinal":\d+,)?"type":"session_meta","payload":\{/,
    keys: ['"base_instructions":{"text":"', '"base_instructions":"'],
  },
  {
    kind: /^\{"timestamp":"[^"\\]*",(?:"ordinal":\d+,)?"type":"event_msg","payload":\{"type":"item_completed",(?:"thread_id":"[^"\\]*",)?"turn_id":"[^"\\]*","item":\{"type":"(?!UserMessage")/,
    keys: ['"aggregated_output":"'],
  },
];

/** Lines shorter than this are parsed as they are. */
export const ELIDE_FROM = 8192;
/** Strings shorter than this are kept (dropping them would not pay). */
export const ELIDE_MIN_STRING = 256;

/** Keys (with their opening `":"`) whose string values a line of this kind may drop; undefined: none. */
export const unreadStringKeys = (prefix: string): ReadonlyArray<string> | undefined =>
  UNREAD_STRINGS.find((r) => r.kind.test(prefix))?.keys;

/** What JSON.parse rejects inside a string: raw control characters (and escapes it does not know, below). */
const CONTROL_CHARACTER = /[\u0000-\u001f]/;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/** Would JSON.parse accept these characters between two quotes? Each backslash must start a known escape. */
export const isValidStringContent = (content: string): boolean => {
  if (CONTROL_CHARACTER.test(content)) return false;
  for (let i = content.indexOf('\\'); i >= 0;) {
    ESCAPE.lastIndex = i;
    if (!ESCAPE.test(content)) return false;
    i = content.indexOf('\\', ESCAPE.lastIndex);
  }
  return true;
};

const BACKSLASH = 0x5c;
const U = 0x75;
const HEX = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
/** Bytes that may follow a backslash besides `u`: `"` `\\` `/` `b` `f` `n` `r` `t`. */
const SHORT_ESCAPE = new Uint8Array(128);
for (const c of '"\\/bfnrt') SHORT_ESCAPE[c.charCodeAt(0)] = 1;

/**
 * The same for the bytes of a UTF-8 string (`bytes` must be valid UTF-8): control bytes are
 * looked for with memchr, and only the escapes are looked at (found with memchr too): three
 * times faster than a regular expression over a Latin-1 copy, on tool output full of `\n`.
 */
export const isValidStringBytes = (bytes: Uint8Array & { indexOf(b: number, from?: number): number }): boolean => {
  for (let c = 0; c < 0x20; c++) if (bytes.indexOf(c) >= 0) return false;
  for (let i = bytes.indexOf(BACKSLASH); i >= 0;) {
    const e = bytes[i + 1];
    if (e === undefined) return false;
    if (e === U) {
      for (let k = i + 2; k < i + 6; k++) if (HEX[bytes[k] ?? 0] !== 1) return false;
      i = bytes.indexOf(BACKSLASH, i + 6);
    } else if (SHORT_ESCAPE[e] === 1) i = bytes.indexOf(BACKSLASH, i + 2);
    else return false;
  }
  return true;
};
