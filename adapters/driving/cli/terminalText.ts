import { codePointsPrefix, hasMoreCodePointsThan } from '../../../domain/codePoints.js';

/**
 * What of a text a terminal would act on rather than show: C0 controls (ESC opens the sequences
 * that set a window's title, clear the screen or write the clipboard — OSC 52; CR and newline
 * forge lines), DEL, C1 controls (U+009B is CSI on its own), and the bidirectional overrides and
 * isolates that reorder what follows them, with the line and paragraph separators.
 */
const ACTED_ON = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The usual names of the controls a text most often holds. */
const NAMED: ReadonlyMap<string, string> = new Map([
  ['\u0007', '\\a'],
  ['\b', '\\b'],
  ['\t', '\\t'],
  ['\n', '\\n'],
  ['\v', '\\v'],
  ['\f', '\\f'],
  ['\r', '\\r'],
  ['\u001b', '\\e'],
]);

const hex = (code: number, digits: number): string => code.toString(16).padStart(digits, '0');

/**
 * A text of a home (a thread's name, preview, path, a message, a command, an output…) as one line
 * of the CLI's readable output: every character a terminal would act on shown as its escape
 * (`\e`, `\n`, `\x9b`, `\u202e`), so what a home holds is read, never run, and never forges a
 * line of the layout. The layout's own newlines are outside it; JSON output needs none of this
 * (JSON escapes them). Idempotent: its output holds none of them.
 */
export const terminalText = (text: string): string =>
  text.replace(ACTED_ON, (c) => {
    const code = c.charCodeAt(0);
    return NAMED.get(c) ?? (code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
  });

/**
 * A text laid out in lines for the terminal (a command's readable answer, a note, a warning, an
 * error, a status line): each line's controls escaped (`terminalText`), the layout's newlines
 * kept. The one sink of the CLI's readable output on stdout and stderr, so a home's text (a path,
 * a marketplace's name, an error quoting input) is shown wherever it is printed, not only where a
 * renderer remembered it. Idempotent, like `terminalText`.
 */
export const terminalLines = (text: string): string => text.split('\n').map(terminalText).join('\n');

/** How a line break of a home's text shows in a field printed on one line. */
const LINE_BREAK_MARK = '↵';

/** How a text cut short ends. */
const CUT_MARK = '…';

/** A line break of a text: newline, or CR and newline (a lone CR stays escaped, `\r`). */
const LINE_BREAK = /\r?\n/;

/** A text's line breaks as a visible mark between spaces: one line, and where the breaks were still seen. */
export const breaksMarked = (text: string): string => text.split(LINE_BREAK).join(` ${LINE_BREAK_MARK} `);

/** Quotes that open and close a span, as (opening, closing); a straight quote is both. */
const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'],
  ['`', '`'],
  ['“', '”'],
];

/** The closing quotes of the spans `text` leaves open, innermost first (a closing quote closes the spans opened after its own). */
const unclosedQuotes = (text: string): string => {
  const open: string[] = [];
  for (const c of text) {
    const at = open.lastIndexOf(c);
    if (at !== -1) open.length = at;
    else {
      const closing = QUOTE_PAIRS.find(([o]) => o === c)?.[1];
      if (closing !== undefined) open.push(closing);
    }
  }
  return open.reverse().join('');
};

/**
 * `text` in at most `max` characters (code points, so no pair is split): cut marked `…`, and a
 * quote the cut left open closed after the mark, so what follows is not read as quoted.
 */
const cutTo = (text: string, max: number): string => {
  if (!hasMoreCodePointsThan(text, max)) return text;
  const kept = codePointsPrefix(text, Math.max(max - 1, 0)).trimEnd();
  return `${kept}${CUT_MARK}${unclosedQuotes(kept)}`;
};

/**
 * A text of a home as one field of a line (a name, a preview, an error): its line breaks shown as
 * ` ↵ `, other runs of white space as one space, at most `max` characters of it (cut marked `…`,
 * never inside an open quote), its controls escaped (`terminalText`).
 */
export const oneLineText = (text: string, max = Infinity): string =>
  terminalText(cutTo(breaksMarked(text).replace(/\s+/g, ' ').trim(), max));

/**
 * A text of a home as lines of its own (a message, a command, an output shown as a block): split
 * at its line breaks, each line's controls escaped and its trailing white space dropped, with no
 * blank line at either end. At least one line (empty for an empty text).
 */
export const textLines = (text: string): string[] => {
  const lines = text.split(LINE_BREAK).map((l) => terminalText(l).trimEnd());
  const first = lines.findIndex((l) => l !== '');
  if (first === -1) return [''];
  let last = lines.length - 1;
  while (lines[last] === '') last -= 1;
  return lines.slice(first, last + 1);
};

/** How much of a name or preview a listing's row shows (`threads`, `search`): a row stays one line on a wide terminal; `read` shows it whole. */
export const LISTED_TEXT_MAX = 100;
