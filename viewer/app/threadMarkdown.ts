import type { Thread } from '../../domain/thread/thread.js';
import type { ThreadItem, ThreadItemTable } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';
import { formatTime } from './dom.js';
import { userText } from './itemView.js';

/**
 * A thread as Markdown, its texts shown as the HTML export shows them: as text. Whatever a thread
 * holds (raw HTML, `javascript:` links, images, reference definitions) is never markup in the file:
 * each block of text is a fence longer than any backtick run in it (a fence's content is text to
 * every renderer), and each one-line text (title, meta, error, review) has its line breaks made
 * spaces and the characters that would start markup escaped (`markdownInline`), so it cannot open
 * a tag, a link or a block — and reads as written where nothing could (an id's hyphens, a path).
 */

/** A fence longer than any run of backticks in the text. */
const fenced = (text: string, info = 'text'): string => {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info}\n${text}\n${fence}`;
};

/** A letter or a digit: an `_` between two of them neither opens nor closes emphasis (CommonMark's flanking rules). */
const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/**
 * One line of literal text as Markdown (CommonMark, and GitHub's strikethrough and tables): line
 * breaks as spaces, and a backslash before each character that would start markup where it stands,
 * only those. Anywhere: `\` `` ` `` `*` `[` `]` `<` `~` (escapes, code, emphasis, links and images,
 * autolinks and HTML, strikethrough), `_` unless between two letters or digits, `&` that would
 * begin an entity. At the start (the text may begin a line): `#` `>` `-` `+` `=` `|` and the `.` or
 * `)` after digits (headings, quotes, lists, breaks, tables); leading blanks (an indented code
 * block) dropped, as a paragraph drops them. At the end: a heading's closing run of `#`.
 */
export const markdownInline = (text: string): string =>
  text
    .replace(/[\r\n]+/g, ' ')
    .replace(/^[ \t]+/, '')
    .replace(/[\\`*[\]<~]|_|&(?=#?[0-9a-z]+;)/gi, (c, at: number, line: string) =>
      c === '_' && WORD_CHARACTER.test(line[at - 1] ?? '') && WORD_CHARACTER.test(line[at + 1] ?? '') ? c : `\\${c}`,
    )
    .replace(/^[#>+=|-]/, '\\$&')
    .replace(/^(\d{1,9})([.)])(?=[ \t]|$)/, '$1\\$2')
    .replace(
      /(^|[ \t])(#+)([ \t]*)$/,
      (_, before: string, hashes: string, after: string) => `${before}${hashes.replaceAll('#', '\\#')}${after}`,
    );

/** What an export calls the thread: its name, else its preview, else its id. */
export const threadTitle = (thread: Thread): string =>
  thread.name ?? (thread.preview === '' ? thread.id : thread.preview);

/** Each item type as Markdown. */
export const ITEM_MARKDOWN: ThreadItemTable<string> = {
  userMessage: (item) => `**User**\n\n${fenced(userText(item))}`,
  agentMessage: (item) => `**Agent**\n\n${fenced(item.text)}`,
  reasoning: (item) => `*Reasoning*\n\n${fenced([...item.summary, ...item.content].join('\n'))}`,
  commandExecution: (item) =>
    `**Command** (exit ${item.exitCode ?? '?'})\n\n${fenced(`$ ${item.command}`, 'sh')}${item.aggregatedOutput ? `\n\n${fenced(item.aggregatedOutput)}` : ''}`,
  fileChange: (item) =>
    [
      `**File change** (${markdownInline(item.status)})`,
      ...item.changes.map(
        (c) => `${markdownInline(`${String(c.kind['type'])} ${c.path}`)}\n\n${fenced(c.diff, 'diff')}`,
      ),
    ].join('\n\n'),
  mcpToolCall: (item) =>
    `**MCP ${markdownInline(`${item.server} · ${item.tool}`)}** (${markdownInline(item.status)})\n\n${fenced(JSON.stringify(item.arguments, null, 2), 'json')}${item.result === null ? '' : `\n\n${fenced(JSON.stringify(item.result, null, 2), 'json')}`}${item.error === null ? '' : `\n\n**Error:** ${markdownInline(item.error.message)}`}`,
  dynamicToolCall: (item) =>
    `**Tool ${markdownInline(item.tool)}** (${markdownInline(item.status)})\n\n${fenced(JSON.stringify(item.arguments, null, 2), 'json')}${item.contentItems === null ? '' : `\n\n${fenced(JSON.stringify(item.contentItems, null, 2), 'json')}`}`,
  collabAgentToolCall: (item) =>
    `**Sub-agent ${markdownInline(item.tool)}** (${markdownInline(item.status)}): ${markdownInline(item.receiverThreadIds.join(', '))}${item.prompt === null ? '' : `\n\n${fenced(item.prompt)}`}`,
  webSearch: (item) => `*Web search*: ${markdownInline(item.query)}`,
  imageView: (item) => `*Image viewed*: ${markdownInline(item.path)}`,
  subAgentActivity: (item) =>
    `*Sub-agent ${markdownInline(`${item.agentPath} ${item.kind}`)}*: ${markdownInline(item.agentThreadId)}`,
  imageGeneration: (item) =>
    `**Image generated** (${markdownInline(item.status)})${item.revisedPrompt === null ? '' : `\n\n${fenced(item.revisedPrompt)}`}${item.savedPath === undefined ? '' : `\n\n${markdownInline(item.savedPath)}`}`,
  functionCallOutput: (item) =>
    `**Output of ${markdownInline(`${item.namespace === null ? '' : `${item.namespace} · `}${item.name}`)}**\n\n${fenced(typeof item.output === 'string' ? item.output : JSON.stringify(item.output, null, 2), typeof item.output === 'string' ? 'text' : 'json')}`,
  plan: (item) => `**Plan**\n\n${fenced(item.text)}`,
  sleep: (item) => `*Slept ${item.durationMs} ms*`,
  hookPrompt: (item) => `*Hook prompt*\n\n${fenced(item.fragments.map((f) => f.text).join('\n'))}`,
  contextCompaction: () => '*Context compacted*',
  enteredReviewMode: (item) => `*Review started*: ${markdownInline(item.review)}`,
  exitedReviewMode: (item) => `*Review finished*\n\n${fenced(item.review)}`,
};

/** An item as Markdown; an item type this page does not know (a newer server's) as its JSON. */
const itemMarkdown = (item: ThreadItem): string =>
  Object.hasOwn(ITEM_MARKDOWN, item.type)
    ? (ITEM_MARKDOWN[item.type] as (item: ThreadItem) => string)(item)
    : fenced(JSON.stringify(item, null, 2), 'json');

export const threadMarkdown = (thread: Thread, turns: ReadonlyArray<Turn>): string =>
  [
    `# ${markdownInline(threadTitle(thread))}`,
    markdownInline(
      [thread.id, formatTime(thread.createdAt), thread.model ?? '', thread.cwd].filter((s) => s !== '').join(' · '),
    ),
    ...turns.map((turn, i) =>
      [
        `## Turn ${i + 1} · ${markdownInline(turn.status)} · ${formatTime(turn.startedAt)}`,
        ...(turn.error === null ? [] : [`**Error:** ${markdownInline(turn.error.message)}`]),
        ...turn.items.map(itemMarkdown),
      ].join('\n\n'),
    ),
  ].join('\n\n') + '\n';
