/**
 * serde_json's recursion limit: it refuses the 128th level of nesting ("recursion limit
 * exceeded"), so a JSON text deeper than this is one Codex never parses.
 */
export const SERDE_MAX_DEPTH = 127;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Where a JSON text first nests deeper than `max` levels (the offset of the bracket that opens the
 * level past it), or -1: one linear scan of the brackets outside strings, before `JSON.parse` or
 * any recursive walk of its value runs (a line of 100,000 `[` parses, and then overflowed the
 * stack of the first recursive function that read it). Not a validation: what is not JSON is left
 * to `JSON.parse`.
 */
export const nestedDeeperThan = (text: string, max: number = SERDE_MAX_DEPTH): number => {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return i;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return -1;
};
