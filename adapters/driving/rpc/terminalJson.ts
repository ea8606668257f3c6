/**
 * What `JSON.stringify` leaves raw that a terminal acts on: DEL, the C1 controls (U+009B is CSI on
 * its own), the bidirectional marks, overrides and isolates, the line and paragraph separators.
 * (It escapes the C0 controls itself.)
 */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A JSON text for a terminal (`--json` output, `serve`'s log on stderr): each such character as its
 * `\uXXXX` escape. The same value to any JSON reader: these characters occur in a JSON text only
 * inside strings, where the escape means the character itself. Works on any piece of a text.
 */
export const terminalJson = (json: string): string =>
  json.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
