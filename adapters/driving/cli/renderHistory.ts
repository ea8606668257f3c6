import type { Thread } from '../../../domain/thread/thread.js';
import { byItemType, type ThreadItem, type ThreadItemTable } from '../../../domain/thread/threadItem.js';
import type { Turn } from '../../../domain/thread/turn.js';
import { MAX_PAGE_SIZE } from '../../../replay/internal/pageSize.js';
import { oneLineText, terminalText, textLines } from './terminalText.js';

/** The readable text of each item type (the CLI's human view): its line breaks are kept, the view shows it as a block. */
export const ITEM_TEXT: ThreadItemTable<string> = {
  userMessage: (item) =>
    item.content.map((c) => (typeof c['text'] === 'string' ? c['text'] : `[${String(c['type'])}]`)).join(' '),
  agentMessage: (item) => item.text,
  reasoning: (item) => item.summary.join('\n'),
  commandExecution: (item) => `$ ${item.command} → exit ${item.exitCode ?? '?'}`,
  enteredReviewMode: (item) => item.review,
  exitedReviewMode: (item) => item.review,
  fileChange: (item) => `${item.status}: ${item.changes.map((c) => `${String(c.kind['type'])} ${c.path}`).join(', ')}`,
  mcpToolCall: (item) => `${item.server}.${item.tool}(${JSON.stringify(item.arguments)}) → ${item.status}`,
  dynamicToolCall: (item) =>
    `${item.namespace ? `${item.namespace}.` : ''}${item.tool}(${JSON.stringify(item.arguments)}) → ${item.status}`,
  collabAgentToolCall: (item) => `${item.tool} ${item.receiverThreadIds.join(', ')} → ${item.status}`,
  webSearch: (item) => item.query,
  imageView: (item) => item.path,
  subAgentActivity: (item) => `${item.agentPath} ${item.kind}`,
  imageGeneration: (item) => `${item.savedPath ?? item.revisedPrompt ?? ''} → ${item.status}`,
  functionCallOutput: (item) =>
    `${item.namespace ? `${item.namespace}.` : ''}${item.name} → ${typeof item.output === 'string' ? item.output : JSON.stringify(item.output)}`,
  plan: (item) => item.text,
  sleep: (item) => `${item.durationMs} ms`,
  hookPrompt: (item) => item.fragments.map((f) => f.text).join(' '),
  // A compaction has no text of its own: the line shows only its type.
  contextCompaction: () => '',
};

/** The readable text of an item (the CLI's human view). */
export const itemText = (item: ThreadItem): string => byItemType(ITEM_TEXT, item);

/**
 * An item's lines: one that starts with `prefix` (an indentation, or a turn id) and the item's type
 * and holds its text's first line; the rest of the text, when it has more lines, as a block
 * indented to the text's column, so no line of it starts where items do. Controls escaped
 * (`terminalText`) whatever the home's text holds.
 */
export const itemLines = (item: ThreadItem, prefix = '    '): string[] => {
  const head = `${prefix}${item.type.padEnd(18)} `;
  const [first, ...rest] = textLines(itemText(item));
  const indent = ' '.repeat(head.length);
  return [`${head}${first ?? ''}`.trimEnd(), ...rest.map((l) => (l === '' ? '' : `${indent}${l}`))];
};

/** A turn's line (its error on that line: `oneLineText`) and its items' lines. */
export const turnLines = (turn: Turn): string[] => [
  `  turn ${terminalText(turn.id)}  ${turn.status}${turn.error ? `: ${oneLineText(turn.error.message)}` : ''}${turn.startedAt ? `  ${new Date(turn.startedAt * 1000).toISOString()}` : ''}`,
  ...turn.items.flatMap((i) => itemLines(i)),
];

/** A thread's header lines, each one line whatever its name, path, cwd and preview hold (line breaks of the name and preview shown as ` ↵ `). */
export const threadHeader = (t: Pick<Thread, 'id' | 'name' | 'historyMode' | 'path' | 'cwd' | 'preview'>): string[] => [
  `${terminalText(t.id)}${t.name ? `  "${oneLineText(t.name)}"` : ''}  (${t.historyMode})`,
  terminalText(`  path:    ${t.path}`),
  terminalText(`  cwd:     ${t.cwd}`),
  `  preview: ${oneLineText(t.preview)}`,
];

/** The command that printed a page: its words without `--cursor` and the direction flag. */
export interface PageCommand {
  readonly words: ReadonlyArray<string>;
  /** The flag that turns the command's default direction around (`--asc`, `--desc`)… */
  readonly reverseFlag: string;
  /** … and whether it was given. */
  readonly reversed: boolean;
  /** Whether the page was asked from a cursor: the first page has nothing behind it to go back to. */
  readonly fromCursor: boolean;
}

/** A word as a POSIX shell reads it back: bare when it is safe, else single-quoted. */
export const shellWord = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/**
 * What a person should know of the `--limit` a page was asked with: that the page holds at most
 * `max` (and at least 1), and what was used instead.
 */
export const limitNotes = (limit: number | null | undefined, max: number = MAX_PAGE_SIZE): string[] =>
  limit === undefined || limit === null
    ? []
    : limit > max
      ? [`--limit ${limit} is more than a page holds: ${max} used`]
      : limit < 1
        ? [`--limit ${limit}: 1 used`]
        : [];

/**
 * The pages around this one, as commands a person can paste: the same command with `--cursor
 * <nextCursor>` for the next page; for going back, the backwards cursor with the direction turned
 * around (Codex's backwardsCursor reads the other way from about this page's first row: a thread
 * cursor is that row's time ∓ 1 ms, a turn or item cursor the row itself, shown again). `last page`
 * when there is no next one.
 */
export const pageHints = (
  page: { nextCursor: string | null; backwardsCursor: string | null },
  command: PageCommand,
): string[] => {
  const run = (cursor: string, reversed: boolean): string =>
    terminalText(
      [...command.words, '--cursor', cursor, ...(reversed ? [command.reverseFlag] : [])].map(shellWord).join(' '),
    );
  return [
    page.nextCursor === null ? 'last page' : `next page: ${run(page.nextCursor, command.reversed)}`,
    ...(page.backwardsCursor === null || !command.fromCursor
      ? []
      : [`back:      ${run(page.backwardsCursor, !command.reversed)}`]),
  ];
};
