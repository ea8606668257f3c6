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

/**
 * Where a JSON text first nests deeper than `max` levels (the offset of the bracket that opens the
 * level past it), or -1: one linear scan of the brackets outside strings, before `JSON.parse` or
 * any recursive walk of its value runs (a line of 100,000 `[` parses, and then overflowed the
 * stack of the first recursive function that read it).
 */
export const nestedDeeperThan = (text: string, max: number = SERDE_MAX_DEPTH): number => {
  const scan = new JsonStructureScan();
  for (let i = 0; i < text.length; i++) if (scan.step(text.charCodeAt(i)) === 'open' && scan.depth > max) return i;
  return -1;
};
