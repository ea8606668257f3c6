/**
 * What a line's first bytes tell, without parsing it: whether any projection reads the line, and
 * which long strings in it none reads. No domain codecs here: the reader thread loads only this.
 *
 * Codex writes compact JSON with keys in the order `timestamp, ordinal, type,
 * payload`, so a line's kind is readable from its first bytes. Lines of kinds no projection reads
 * (model context, world state, compaction history, tool output events: most of a rollout's bytes)
 * are never parsed; the runner still records their position and timestamp. Anything that does not
 * match the prefix (other key order, older formats) is parsed in full, so the shortcut can only
 * save work.
 */
const PREFIX = /^\{"timestamp":"([^"\\]*)",(?:"ordinal":(\d+),)?"type":"([a-z_]+)"(?:,"payload":\{"type":"([A-Za-z_]+)")?/;

/** Bytes of a line that always hold its prefix (timestamps and kind names are short). */
export const PREFIX_BYTES = 300;

const SKIPPED_TOP = new Set(['world_state', 'compacted']);
const NEEDED_EVENT_MSGS = new Set([
  'task_started',
  'task_complete',
  'turn_aborted',
  'thread_rolled_back',
  'thread_settings_applied',
  'token_count',
  'item_completed',
  'user_message',
  'agent_message',
  'agent_reasoning',
  'agent_reasoning_raw_content',
  'context_compacted',
  'entered_review_mode',
  'exited_review_mode',
  'error',
]);

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
}

export type SkippedLine = { readonly kind: 'skipped'; readonly timestamp: string; readonly ordinal: number | null; readonly type: string };

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
  const skip =
    SKIPPED_TOP.has(type) ||
    (type === 'response_item' && opts.itemsFromResponses !== true && (pType !== 'message' || UNSEARCHED_MESSAGE.test(prefix))) ||
    (type === 'event_msg' && pType !== undefined && !NEEDED_EVENT_MSGS.has(pType));
  return skip ? { kind: 'skipped', timestamp: m[1]!, ordinal: m[2] === undefined ? null : Number(m[2]), type } : undefined;
};

/**
 * Long string values no projection reads, by line kind: a command's output in its
 * `item_completed`, the base instructions in `session_meta` (the threads projection drops them). In a
 * long line their contents are dropped before parsing (the value stays a string, so the codecs
 * see the same shapes); the line's raw text is kept as stored.
 */
const UNREAD_STRINGS: ReadonlyArray<{ readonly kind: RegExp; readonly keys: ReadonlyArray<string> }> = [
  { kind: /^\{"timestamp":"[^"\\]*",(?:"ordinal":\d+,)?"type":"session_meta","payload":\{/, keys: ['"base_instructions":{"text":"', '"base_instructions":"'] },
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
export const unreadStringKeys = (prefix: string): ReadonlyArray<string> | undefined => UNREAD_STRINGS.find((r) => r.kind.test(prefix))?.keys;

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
