import { truncateChars } from './claudeRecord.js';

/** Codex's bound on an imported session's title, in characters. */
export const SESSION_TITLE_MAX_LEN = 120;
export const IMPORTED_SESSION_FALLBACK_TITLE = 'Imported session';

// The wrappers Claude Code puts before what the user typed; a title skips them.
const CONTROL_WRAPPERS: ReadonlyArray<readonly [string, string]> = [
  ['<command-message>', '</command-message>'],
  ['<system-reminder>', '</system-reminder>'],
  ['<ide_opened_file>', '</ide_opened_file>'],
];

/** A user message as a title: leading control wrappers skipped, its first non-blank line, cut to 120 characters. */
export const fallbackTitleFromUserMessage = (message: string): string => {
  const rest = stripLeadingControlWrappers(message);
  const first = rest
    .split('\n')
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line).trim())
    .find((line) => line !== '');
  return truncateChars(first ?? IMPORTED_SESSION_FALLBACK_TITLE, SESSION_TITLE_MAX_LEN);
};

/** The title a session is imported under: the user's, else the generated one, else the first user message's. */
export const selectTitle = (c: {
  customTitle?: string | undefined;
  aiTitle?: string | undefined;
  fallbackTitle?: string | undefined;
}): string | null => c.customTitle ?? c.aiTitle ?? c.fallbackTitle ?? null;

const stripLeadingControlWrappers = (message: string): string => {
  let rest = message.trimStart();
  for (let end = wrapperEnd(rest); end !== undefined; end = wrapperEnd(rest)) rest = rest.slice(end).trimStart();
  return rest;
};

/** Where a leading (possibly nested) wrapper closes; undefined when the text does not start with one or it never closes properly. */
const wrapperEnd = (text: string): number | undefined => {
  const outer = openingAt(text, 0);
  if (outer === undefined) return undefined;
  const open = [outer.tag];
  let cursor = outer.length;
  while (open.length > 0) {
    const next = text.indexOf('<', cursor);
    if (next < 0) return undefined;
    cursor = next;
    const opening = openingAt(text, cursor);
    if (opening !== undefined) {
      open.push(opening.tag);
      cursor += opening.length;
      continue;
    }
    const closing = closingAt(text, cursor);
    if (closing !== undefined) {
      if (open[open.length - 1] !== closing.tag) return undefined;
      open.pop();
      cursor += closing.length;
      continue;
    }
    cursor += 1;
  }
  return cursor;
};

const openingAt = (text: string, at: number): { tag: number; length: number } | undefined => {
  const tag = CONTROL_WRAPPERS.findIndex(([opening]) => text.startsWith(opening, at));
  return tag < 0 ? undefined : { tag, length: CONTROL_WRAPPERS[tag]![0].length };
};

const closingAt = (text: string, at: number): { tag: number; length: number } | undefined => {
  const tag = CONTROL_WRAPPERS.findIndex(([, closing]) => text.startsWith(closing, at));
  return tag < 0 ? undefined : { tag, length: CONTROL_WRAPPERS[tag]![1].length };
};
