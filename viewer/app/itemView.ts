import type { ThreadItem, ThreadItemTable } from '../../domain/thread/threadItem.js';
import { element, pathNode } from './dom.js';
import { markdownNode } from './markdownView.js';
import { inputLabel } from './itemText.js';
import { diffNode, folded, json, outputParts, statusWord, thumbnail, webSearchLines } from './itemParts.js';

// How an expanded turn shows its items. A turn's summary and marks are turnMarks.ts, an item's words as text
// itemText.ts (re-exported here, where the turn's row and the export import them from).
export { userText } from './itemText.js';
export type { TurnMark } from './turnMarks.js';
export { MARK_OF_KIND, turnMarks, turnSummary } from './turnMarks.js';

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
