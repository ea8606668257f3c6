// Cutting text by characters as a string's iterator counts them (code points: a surrogate pair is
// one, a lone surrogate one), walking only as far as the cut: an import split each tool result of
// up to a megabyte into one string per character to keep a few thousand (measured in the commit that made it). Pure.

/** Whether a surrogate pair (one code point of two UTF-16 units) starts at `i`. */
export const isSurrogatePairAt = (text: string, i: number): boolean => {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
};

/** The index in `text` after its first `count` code points (its length when it holds fewer). */
const indexAfter = (text: string, count: number): number => {
  let at = 0;
  for (let n = 0; n < count && at < text.length; n++) at += isSurrogatePairAt(text, at) ? 2 : 1;
  return at;
};

/** Whether `text` holds more than `count` code points (walks at most `count` + 1 of them). */
export const hasMoreCodePointsThan = (text: string, count: number): boolean =>
  text.length > count && indexAfter(text, count) < text.length;

/** The first `count` code points of `text` (all of it when it holds fewer). */
export const codePointsPrefix = (text: string, count: number): string => text.slice(0, indexAfter(text, count));
