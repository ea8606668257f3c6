import { collapseWhitespace } from './conversationText.js';
import type { ConversationText } from './conversationText.js';

/**
 * Case-insensitive literal matching as Codex's search does it (Rust `regex` with
 * `case_insensitive`, ripgrep `--ignore-case --fixed-strings`): Unicode simple case folding, the
 * same equivalence as a JS RegExp with the `iu` flags.
 */
export const literalPattern = (term: string, global = false): RegExp =>
  new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), global ? 'giu' : 'iu');

/** Codex's context around a `thread/search` match, in characters (Unicode scalar values). */
const CONTEXT_BEFORE = 48;
const CONTEXT_AFTER = 96;

/** UTF-16 index `chars` code points before `at` (0 when fewer), as Rust's `char_indices().rev().nth(chars)`. */
export const codePointsBefore = (s: string, at: number, chars: number): number => {
  let i = at;
  for (let n = 0; n <= chars; n += 1) {
    if (i <= 0) return 0;
    i -=
      i >= 2 &&
      s.charCodeAt(i - 1) >= 0xdc00 &&
      s.charCodeAt(i - 1) <= 0xdfff &&
      s.charCodeAt(i - 2) >= 0xd800 &&
      s.charCodeAt(i - 2) <= 0xdbff
        ? 2
        : 1;
  }
  return i;
};

/** UTF-16 index `chars` code points after `at` (the end when fewer), as Rust's `char_indices().nth(chars)`. */
export const codePointsAfter = (s: string, at: number, chars: number): number => {
  let i = at;
  for (let n = 0; n < chars; n += 1) {
    if (i >= s.length) return s.length;
    const c = s.codePointAt(i)!;
    i += c > 0xffff ? 2 : 1;
  }
  return i;
};

/**
 * Which text a snippet's context is counted in: the whitespace-collapsed text (Codex 0.169.0), or
 * the message's own text, collapsed after the cut (0.171.0: protocol/search.ts's delta).
 */
export type SnippetContext = 'collapsedText' | 'messageText';

/**
 * The `thread/search` snippet of a line's text when it matches `term`, else null: the line must
 * hold the term within one of its own text runs (Codex's ripgrep pass over the raw line) and the
 * whitespace-collapsed text must hold it; the snippet is 48 characters before the first match and
 * 96 after (counted in the text `context` names), marked `... ` / ` ...` where cut. Pure.
 */
export const searchSnippetOf = (
  line: ConversationText,
  pattern: RegExp,
  context: SnippetContext = 'collapsedText',
): string | null => {
  if (!pattern.test(line.raw ?? line.text)) return null;
  const normalized = collapseWhitespace(line.text);
  const m = pattern.exec(normalized);
  if (m === null) return null;
  const cutFrom = context === 'collapsedText' ? normalized : line.text;
  const at = context === 'collapsedText' ? m : pattern.exec(line.text);
  if (at === null) return null;
  const start = codePointsBefore(cutFrom, at.index, CONTEXT_BEFORE);
  const end = codePointsAfter(cutFrom, at.index + at[0].length, CONTEXT_AFTER);
  const excerpt =
    context === 'collapsedText' ? normalized.slice(start, end).trim() : collapseWhitespace(cutFrom.slice(start, end));
  if (excerpt === '') return null;
  return `${start > 0 ? '... ' : ''}${excerpt}${end < cutFrom.length ? ' ...' : ''}`;
};
