/**
 * Case-insensitive literal matching with full Unicode case folding, as Codex's
 * `thread/searchOccurrences` matches (`straße` finds `STRASSE`, `ss` finds `ß`, `FILE` finds
 * `ﬁle`), where `thread/search` (ripgrep) folds one code point to one. Pure.
 */

/** One code point folded: its full upper case lowered (ß → ss, ﬁ → fi, ς → σ). */
const foldCodePoint = (c: string): string => c.toUpperCase().toLowerCase();

/** A term folded as the text is. */
const foldTerm = (term: string): string => {
  let out = '';
  for (const c of term) out += foldCodePoint(c);
  return out;
};

/**
 * Every non-overlapping match of `term` in `text`, first to last, as UTF-16 ranges of `text`. A
 * match is a run of whole code points of the text whose folding equals the term's: one that
 * begins or ends inside a code point's expansion (`s` of `ß`) is no match.
 */
export const foldedMatches = (text: string, term: string): Array<{ readonly start: number; readonly end: number }> => {
  const needle = foldTerm(term);
  if (needle === '') return [];
  let folded = '';
  // For each UTF-16 unit of `folded`: where its code point starts in `text`, and whether the unit starts that code point's folding.
  const sourceAt: number[] = [];
  const startsCodePoint: boolean[] = [];
  let at = 0;
  for (const c of text) {
    const f = foldCodePoint(c);
    for (let k = 0; k < f.length; k += 1) {
      sourceAt.push(at);
      startsCodePoint.push(k === 0);
    }
    folded += f;
    at += c.length;
  }
  sourceAt.push(text.length);
  startsCodePoint.push(true);
  const out: Array<{ start: number; end: number }> = [];
  for (let from = 0, hit = folded.indexOf(needle); hit >= 0; hit = folded.indexOf(needle, from)) {
    const end = hit + needle.length;
    if (startsCodePoint[hit] && startsCodePoint[end]) {
      out.push({ start: sourceAt[hit]!, end: sourceAt[end]! });
      from = end;
    } else from = hit + 1;
  }
  return out;
};
