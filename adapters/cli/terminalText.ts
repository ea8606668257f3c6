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
