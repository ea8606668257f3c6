/**
 * serde_json's recursion limit: it refuses the 128th level of nesting ("recursion limit
 * exceeded"; 0.169.0 measured: 127 levels answered, 128 dropped), so a JSON text deeper than this
 * is one Codex never parses.
 */
export const SERDE_MAX_DEPTH = 127;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

/** What one code unit was to the structure of a JSON text: a level opened or closed, a value separated, or nothing. */
export type StructureStep = 'open' | 'close' | 'comma' | 'none';

/**
 * A scan of a JSON text's structure outside strings, one code unit at a time: a UTF-16 unit of a
 * string or a byte of its UTF-8 (quotes, backslashes, brackets and commas are the same in both and
 * never occur inside a multi-byte character, so bytes need no decoding). Not a validation: what
 * is not JSON is left to `JSON.parse`. The one scanner of the nesting bounds checked before a
 * parse (JSON-RPC messages, Claude Code session lines).
 */
export class JsonStructureScan {
  /** The levels open after the last code unit. */
  depth = 0;
  private inString = false;
  private escaped = false;

  step(c: number): StructureStep {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === BACKSLASH) this.escaped = true;
      else if (c === QUOTE) this.inString = false;
      return 'none';
    }
    if (c === QUOTE) this.inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      this.depth++;
      return 'open';
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      this.depth--;
      return 'close';
    } else if (c === COMMA) return 'comma';
    return 'none';
  }
}

/** The characters of JSON's structure: a string's quotes and the brackets that open and close a level. */
const STRUCTURE = /["[\]{}]/g;

/** Whether `text` has at most `max` opening brackets anywhere (strings too): then no level past `max` can open. */
const opensAtMost = (text: string, max: number): boolean => {
  let n = 0;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++n > max) return false;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++n > max) return false;
  return true;
};

/**
 * Where a JSON text first nests deeper than `max` levels (the offset of the bracket that opens the
 * level past it), or -1: one linear scan of the brackets outside strings, before `JSON.parse` or
 * any recursive walk of its value runs (a line of 100,000 `[` parses, and then overflowed the
 * stack of the first recursive function that read it). A text with few brackets is passed by a
 * count alone (native `indexOf`, a few % of a parse); the rest jump from one structural character
 * to the next and over each string whole.
 */
export const nestedDeeperThan = (text: string, max: number = SERDE_MAX_DEPTH): number => {
  if (opensAtMost(text, max)) return -1;
  const structure = new RegExp(STRUCTURE);
  let depth = 0;
  for (let m = structure.exec(text); m !== null; m = structure.exec(text)) {
    const i = m.index;
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // The closing quote: the next one not escaped (after an even run of backslashes).
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return -1;
        let k = j - 1;
        while (text.charCodeAt(k) === BACKSLASH) k--;
        if ((j - 1 - k) % 2 === 0) break;
      }
      structure.lastIndex = j + 1;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return i;
    } else depth--;
  }
  return -1;
};

/** A JSON text refused before its parse for nesting deeper than `SERDE_MAX_DEPTH` levels. */
export class JsonTooDeep extends SyntaxError {
  constructor(readonly offset: number) {
    super(
      `nested deeper than ${SERDE_MAX_DEPTH} levels (at character ${offset + 1}): serde_json's recursion limit, so Codex cannot parse it either`,
    );
    this.name = 'JsonTooDeep';
  }
}

/**
 * The one parse of JSON text that entered from outside (a rollout line, a request, an import, a
 * config, auth or plugin file, an event store event): `JSON.parse` behind the nesting bound
 * Codex's own parser has (serde_json, codex-rs reads every rollout line and config with it), so
 * no value deeper than that reaches a recursive walk, io-ts, msgpackr (an LMDB row) or
 * `JSON.stringify` and overflows the stack there. Throws like `JSON.parse` (a `SyntaxError`, here
 * `JsonTooDeep`), so a caller's one catch covers both.
 */
export const parseJson = (text: string): unknown => {
  const tooDeep = nestedDeeperThan(text);
  if (tooDeep >= 0) throw new JsonTooDeep(tooDeep);
  return JSON.parse(text) as unknown;
};
