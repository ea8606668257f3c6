import type { ThreadItem, ThreadItemOf, ThreadItemTable } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';
import { WEB_SCHEMES, element, externalLink, pathNode, safeHref } from './dom.js';
import { markdownNode } from './markdownView.js';

/** What a non-text input is called in text: `[image]`, `[local image /p.png]`, `[mention README.txt]`. */
const inputLabel = (c: Readonly<Record<string, unknown>>): string => {
  const type = String(c['type']);
  switch (type) {
    case 'localImage':
      return `[local image ${String(c['path'])}]`;
    case 'mention':
    case 'skill':
      return `[${type} ${String(c['name'])}]`;
    default:
      return `[${type}]`;
  }
};

/** The words of a user message (its text parts; other inputs named by their type). */
export const userText = (item: Extract<ThreadItem, { type: 'userMessage' }>): string =>
  item.content
    .map((c) => (c['type'] === 'text' && typeof c['text'] === 'string' ? c['text'] : inputLabel(c)))
    .join('\n');

/** An inline image the page may show: only `data:image/…` (the page's CSP loads nothing from other hosts). */
const thumbnail = (url: unknown, alt: string): HTMLElement =>
  typeof url === 'string' && url.startsWith('data:image/')
    ? element('img', { class: 'thumbnail', src: url, alt })
    : element('span', { class: 'image-ref' }, `[image ${typeof url === 'string' ? url.slice(0, 80) : ''}]`);

const json = (v: unknown): string => JSON.stringify(v, null, 2);

/**
 * An item's status as Codex's schema words it (CommandExecutionStatus, PatchApplyStatus,
 * McpToolCallStatus, DynamicToolCallStatus, CollabAgentToolCallStatus: `inProgress`, `completed`,
 * `failed`, `declined`, `interrupted`), or null for a type that has none. A dynamic tool that
 * completed without success failed.
 */
export const itemStatus = (item: ThreadItem): string | null => {
  switch (item.type) {
    case 'commandExecution':
    case 'fileChange':
    case 'mcpToolCall':
    case 'collabAgentToolCall':
    case 'imageGeneration':
      return item.status;
    case 'dynamicToolCall':
      return item.success === false && item.status === 'completed' ? 'failed' : item.status;
    default:
      return null;
  }
};

/** A status as a word the style colours (failed red, declined and interrupted amber, completed green). */
const statusWord = (status: string): HTMLElement => element('span', { class: `status-word status-${status}` }, status);

/** A <details> holding `body`, closed. */
const folded = (summary: string, ...body: Array<Node | string>): HTMLElement =>
  element('details', { class: 'output-box' }, element('summary', {}, summary), ...body);

/** A unified diff, one line per node, added and removed lines marked for the style. */
const diffNode = (diff: string, kind: string): HTMLElement => {
  const pre = element('pre', { class: 'diff' });
  for (const line of diff.replace(/\n$/, '').split('\n')) {
    const cls =
      kind === 'add'
        ? 'added'
        : kind === 'delete'
          ? 'removed'
          : line.startsWith('+')
            ? 'added'
            : line.startsWith('-')
              ? 'removed'
              : line.startsWith('@@')
                ? 'hunk'
                : 'context';
    pre.append(
      element('span', { class: `diff-line ${cls}` }, `${kind === 'add' ? '+' : kind === 'delete' ? '-' : ''}${line}\n`),
    );
  }
  return pre;
};

/** MCP / dynamic tool output parts: text as text, images as thumbnails, anything else as JSON. */
const outputParts = (parts: ReadonlyArray<unknown>): HTMLElement => {
  const out = element('div', { class: 'tool-output' });
  for (const p of parts) {
    const part = (p ?? {}) as Record<string, unknown>;
    // MCP (`text`), dynamic tools (`inputText`) and function call outputs (`input_text`) name text parts each their way.
    if (
      (part['type'] === 'text' || part['type'] === 'inputText' || part['type'] === 'input_text') &&
      typeof part['text'] === 'string'
    )
      out.append(element('pre', { class: 'output' }, part['text']));
    else if (part['type'] === 'image' && typeof part['data'] === 'string')
      out.append(thumbnail(`data:${String(part['mimeType'] ?? 'image/png')};base64,${part['data']}`, 'tool image'));
    else if (part['type'] === 'inputImage') out.append(thumbnail(part['imageUrl'], 'tool image'));
    else if (part['type'] === 'input_image') out.append(thumbnail(part['image_url'], 'tool image'));
    else out.append(element('pre', { class: 'output' }, json(p)));
  }
  return out;
};

/** What a collapsed turn shows: its first user message and its last agent message (the summary view's items). */
export const turnSummary = (turn: Turn): { user: string; agent: string } => {
  let user = '';
  let agent = '';
  for (const item of turn.items) {
    if (item.type === 'userMessage' && user === '') user = userText(item);
    if (item.type === 'agentMessage') agent = item.text;
  }
  return { user, agent };
};

/**
 * The mark each item type gives a turn (several types may share one: tools), or null: no mark
 * (messages are the summary's own text; the other types are not what a reader scans turns for).
 */
export const MARK_OF_KIND: { readonly [K in ThreadItem['type']]: string | null } = {
  reasoning: 'reasoning',
  enteredReviewMode: 'review',
  exitedReviewMode: 'review',
  contextCompaction: 'compaction',
  commandExecution: 'command',
  fileChange: 'file change',
  mcpToolCall: 'tool',
  dynamicToolCall: 'tool',
  collabAgentToolCall: 'sub-agent',
  webSearch: 'web search',
  userMessage: null,
  agentMessage: null,
  imageView: null,
  subAgentActivity: null,
  imageGeneration: null,
  functionCallOutput: null,
  plan: null,
  sleep: null,
  hookPrompt: null,
};

/** A turn's mark and how many of its items make it. */
export interface TurnMark {
  readonly mark: string;
  readonly count: number;
  /** How many of them failed (a red badge). */
  readonly failed: number;
}

/**
 * Marks of a turn that a reader looks for: reasoning, review, compaction, commands, file changes,
 * tools, sub-agents, web searches (each with its count), an error. From `kinds` (its items counted
 * by kind, `rolloutEngine/thread/itemKinds`: a collapsed turn), else from the items it holds.
 */
export const turnMarks = (
  turn: Turn,
  kinds?: { readonly counts: Readonly<Record<string, number>>; readonly failed: Readonly<Record<string, number>> },
): TurnMark[] => {
  const counts = new Map<string, { count: number; failed: number }>();
  const add = (kind: string, n: number, failed: number): void => {
    // `kinds` come from the server: a type this page does not know has no mark.
    const mark = Object.hasOwn(MARK_OF_KIND, kind) ? MARK_OF_KIND[kind as ThreadItem['type']] : null;
    if (mark === null) return;
    const was = counts.get(mark) ?? { count: 0, failed: 0 };
    counts.set(mark, { count: was.count + n, failed: was.failed + failed });
  };
  if (kinds === undefined)
    for (const item of turn.items) add(item.type, 1, 'status' in item && item.status === 'failed' ? 1 : 0);
  else for (const [kind, n] of Object.entries(kinds.counts)) add(kind, n, kinds.failed[kind] ?? 0);
  const marks: TurnMark[] = [...counts].map(([mark, c]) => ({ mark, ...c }));
  if (turn.error !== null || turn.status === 'failed') marks.push({ mark: 'error', count: 1, failed: 0 });
  return marks;
};

/**
 * What a web search shows, a line each: its query (or queries), and the page it opened or searched
 * in, a link when it is a web page (http, https). Codex's actions: search, openPage, findInPage.
 */
const webSearchLines = (item: ThreadItemOf<'webSearch'>): Array<Array<Node | string>> => {
  const action = item.action ?? {};
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const page = (url: string): Node | string => {
    const href = safeHref(url, WEB_SCHEMES);
    return href === null ? url : externalLink(href, url);
  };
  const queries = Array.isArray(action['queries'])
    ? action['queries'].filter((q): q is string => typeof q === 'string')
    : [];
  const lines: Array<Array<Node | string>> = [];
  const query = str(item.query) ?? str(action['query']);
  if (query !== null) lines.push([page(query)]);
  for (const q of queries) if (q !== query) lines.push([q]);
  const url = str(action['url']);
  const pattern = str(action['pattern']);
  if (url !== null && url !== query)
    lines.push(pattern === null ? ['opened ', page(url)] : [`found “${pattern}” in `, page(url)]);
  return lines;
};

/** A review's start or end. */
const reviewNode = (title: string, review: string): HTMLElement =>
  element(
    'section',
    { class: 'item review', 'aria-label': 'Review' },
    element('h3', {}, title),
    element('p', { class: 'text' }, review),
  );

/** How an expanded turn shows each item type (`loadOutput`: a command's deferred output, below). */
export const ITEM_NODES: ThreadItemTable<HTMLElement, [loadOutput: (itemId: string) => Promise<ThreadItem | null>]> = {
  // Its inputs in the order given: an image where it was put, between the texts around it.
  userMessage: (item) =>
    element(
      'section',
      { class: 'item user', 'aria-label': 'User message' },
      element('h3', {}, 'User'),
      ...item.content.map((c) =>
        c['type'] === 'image'
          ? element('div', { class: 'thumbnails' }, thumbnail(c['url'], 'input image'))
          : element(
              'p',
              { class: c['type'] === 'text' ? 'text' : 'text input-ref' },
              c['type'] === 'text' && typeof c['text'] === 'string' ? c['text'] : inputLabel(c),
            ),
      ),
    ),
  fileChange: (item) =>
    element(
      'section',
      { class: 'item file-change', 'aria-label': 'File change' },
      element('h3', {}, 'File change (', statusWord(item.status), ')'),
      ...item.changes.map((c) =>
        element(
          'div',
          { class: 'file' },
          element(
            'p',
            { class: 'file-path' },
            `${String(c.kind['type'])} `,
            pathNode(c.path),
            ...(typeof c.kind['move_path'] === 'string' ? [' → ', pathNode(c.kind['move_path'])] : []),
          ),
          diffNode(c.diff, String(c.kind['type'])),
        ),
      ),
    ),
  mcpToolCall: (item) =>
    element(
      'section',
      { class: 'item tool mcp', 'aria-label': 'MCP tool call' },
      element(
        'h3',
        {},
        `MCP ${item.server} · ${item.tool} (`,
        statusWord(item.status),
        `${item.durationMs === null ? '' : `, ${item.durationMs} ms`})`,
      ),
      folded('Arguments', element('pre', { class: 'arguments' }, json(item.arguments))),
      item.result === null ? null : outputParts(Array.isArray(item.result['content']) ? item.result['content'] : []),
      item.result === null || item.result['structuredContent'] === null
        ? null
        : folded('Structured result', element('pre', {}, json(item.result['structuredContent']))),
      item.error === null ? null : element('p', { class: 'error' }, item.error.message),
    ),
  dynamicToolCall: (item) =>
    element(
      'section',
      { class: 'item tool dynamic', 'aria-label': 'Tool call' },
      element(
        'h3',
        {},
        `Tool ${item.namespace === null ? '' : `${item.namespace} · `}${item.tool} (`,
        statusWord(item.status),
        `${item.success === false ? ', unsuccessful' : ''}${item.durationMs === null ? '' : `, ${item.durationMs} ms`})`,
      ),
      folded('Arguments', element('pre', { class: 'arguments' }, json(item.arguments))),
      item.contentItems === null ? null : outputParts(item.contentItems),
    ),
  collabAgentToolCall: (item) =>
    element(
      'section',
      { class: 'item sub-agent', 'aria-label': 'Sub-agent call' },
      element('h3', {}, `Sub-agent ${item.tool} (`, statusWord(item.status), ')'),
      item.prompt === null ? null : element('p', { class: 'text' }, item.prompt),
      element(
        'ul',
        { class: 'agents' },
        ...item.receiverThreadIds.map((id) => {
          const state = item.agentsStates[id];
          return element(
            'li',
            {},
            element('a', { href: `#thread=${encodeURIComponent(id)}`, class: 'agent-link' }, id),
            state === undefined ? '' : ` ${state.status}${state.message === null ? '' : `: ${state.message}`}`,
          );
        }),
      ),
    ),
  subAgentActivity: (item) =>
    element(
      'section',
      { class: 'item sub-agent-activity', 'aria-label': 'Sub-agent activity' },
      element('h3', {}, `Sub-agent ${item.agentPath} ${item.kind}${item.model === null ? '' : ` (${item.model})`}`),
      element(
        'a',
        { href: `#thread=${encodeURIComponent(item.agentThreadId)}`, class: 'agent-link' },
        item.agentThreadId,
      ),
    ),
  imageGeneration: (item) =>
    element(
      'section',
      { class: 'item image-generation', 'aria-label': 'Image generation' },
      element('h3', {}, 'Image generated (', statusWord(item.status), ')'),
      item.revisedPrompt === null ? null : element('p', { class: 'text' }, item.revisedPrompt),
      item.result === undefined || item.result === ''
        ? null
        : thumbnail(`data:image/png;base64,${item.result}`, 'generated image'),
      item.savedPath === undefined ? null : element('p', { class: 'text' }, pathNode(item.savedPath)),
    ),
  functionCallOutput: (item) =>
    element(
      'section',
      { class: 'item tool function-output', 'aria-label': 'Tool output' },
      element('h3', {}, `Output of ${item.namespace === null ? '' : `${item.namespace} · `}${item.name}`),
      Array.isArray(item.output)
        ? outputParts(item.output)
        : element('pre', { class: 'output' }, typeof item.output === 'string' ? item.output : json(item.output)),
    ),
  webSearch: (item) =>
    element(
      'section',
      { class: 'item web-search', 'aria-label': 'Web search' },
      element('h3', {}, 'Web search'),
      ...webSearchLines(item).map((line) => element('p', { class: 'text' }, ...line)),
    ),
  imageView: (item) =>
    element(
      'section',
      { class: 'item image-view', 'aria-label': 'Image view' },
      element('h3', {}, 'Image viewed'),
      element('p', { class: 'text' }, pathNode(item.path)),
    ),
  plan: (item) =>
    element(
      'section',
      { class: 'item plan', 'aria-label': 'Plan' },
      element('h3', {}, 'Plan'),
      markdownNode(item.text),
    ),
  sleep: (item) =>
    element(
      'section',
      { class: 'item sleep', 'aria-label': 'Sleep' },
      element('h3', {}, `Slept ${item.durationMs} ms`),
    ),
  hookPrompt: (item) =>
    element(
      'section',
      { class: 'item hook', 'aria-label': 'Hook prompt' },
      element('h3', {}, 'Hook prompt'),
      element('p', { class: 'text' }, item.fragments.map((f) => f.text).join('\n')),
    ),
  agentMessage: (item) =>
    element(
      'section',
      { class: 'item agent', 'aria-label': 'Agent message' },
      element('h3', {}, 'Agent'),
      markdownNode(item.text),
    ),
  // Its summary is Markdown (Codex's clients render it so); its raw content is the model's text as it came.
  reasoning: (item) =>
    element(
      'section',
      { class: 'item reasoning', 'aria-label': 'Reasoning' },
      element('h3', {}, 'Reasoning'),
      item.summary.length === 0 ? null : markdownNode(item.summary.join('\n\n')),
      item.content.length === 0 ? null : element('p', { class: 'text' }, item.content.join('\n')),
    ),
  commandExecution: (item, loadOutput) => {
    const output = element('pre', { class: 'output' }, item.aggregatedOutput ?? '');
    const details = element(
      'details',
      { class: 'output-box' },
      element('summary', {}, `Output${item.exitCode === null ? '' : ` (exit ${item.exitCode})`}`),
      output,
    );
    if (item.aggregatedOutput === null)
      details.addEventListener(
        'toggle',
        () => {
          output.textContent = 'loading…';
          void loadOutput(item.id).then(
            (full) =>
              (output.textContent =
                full !== null && full.type === 'commandExecution'
                  ? (full.aggregatedOutput ?? '(no output)')
                  : '(no output)'),
            (err: unknown) => (output.textContent = `failed: ${String(err)}`),
          );
        },
        { once: true },
      );
    return element(
      'section',
      { class: 'item command', 'aria-label': 'Command' },
      element(
        'h3',
        {},
        'Command (',
        statusWord(item.status),
        item.exitCode === null ? ')' : `, exit ${item.exitCode})`,
      ),
      element('pre', { class: 'command-line' }, `$ ${item.command}`),
      details,
    );
  },
  contextCompaction: () =>
    element(
      'section',
      { class: 'item compaction', 'aria-label': 'Context compaction' },
      element('h3', {}, 'Context compacted'),
    ),
  enteredReviewMode: (item) => reviewNode('Review started', item.review),
  exitedReviewMode: (item) => reviewNode('Review finished', item.review),
};

/**
 * One item of an expanded turn. A command's output comes deferred (`deferOutput`): its
 * <details> asks `loadOutput` for the item with its output the first time it is opened. An item
 * type this page does not know (a newer server's) is shown as its JSON.
 */
export const itemNode = (item: ThreadItem, loadOutput: (itemId: string) => Promise<ThreadItem | null>): HTMLElement => {
  if (Object.hasOwn(ITEM_NODES, item.type)) {
    const node = (ITEM_NODES[item.type] as (item: ThreadItem, load: typeof loadOutput) => HTMLElement)(
      item,
      loadOutput,
    );
    // The style draws a failed (declined, interrupted) item as one, whatever its kind.
    const status = itemStatus(item);
    if (status !== null) node.dataset['status'] = status;
    return node;
  }
  const other = item as { type: string };
  return element(
    'section',
    { class: 'item other', 'aria-label': other.type },
    element('h3', {}, other.type),
    element('pre', {}, JSON.stringify(other, null, 2)),
  );
};
