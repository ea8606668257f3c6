import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';
import { element } from './dom.js';

/** The words of a user message (its text parts; other inputs named by their type). */
export const userText = (item: Extract<ThreadItem, { type: 'userMessage' }>): string =>
  item.content.map((c) => (c['type'] === 'text' && typeof c['text'] === 'string' ? c['text'] : `[${String(c['type'])}]`)).join('\n');

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

/** Marks of a turn that a reader looks for: reasoning, review, compaction, a command, an error. */
export const turnMarks = (turn: Turn): string[] => {
  const marks = new Set<string>();
  for (const item of turn.items) {
    if (item.type === 'reasoning') marks.add('reasoning');
    if (item.type === 'enteredReviewMode' || item.type === 'exitedReviewMode') marks.add('review');
    if (item.type === 'contextCompaction') marks.add('compaction');
    if (item.type === 'commandExecution') marks.add('command');
  }
  if (turn.error !== null || turn.status === 'failed') marks.add('error');
  return [...marks];
};

/**
 * One item of an expanded turn. A command's output comes deferred (`deferOutput`): its
 * <details> asks `loadOutput` for the item with its output the first time it is opened.
 */
export const itemNode = (item: ThreadItem, loadOutput: (itemId: string) => Promise<ThreadItem | null>): HTMLElement => {
  switch (item.type) {
    case 'userMessage':
      return element('section', { class: 'item user', 'aria-label': 'User message' }, element('h3', {}, 'User'), element('p', { class: 'text' }, userText(item)));
    case 'agentMessage':
      return element('section', { class: 'item agent', 'aria-label': 'Agent message' }, element('h3', {}, 'Agent'), element('p', { class: 'text' }, item.text));
    case 'reasoning':
      return element(
        'section',
        { class: 'item reasoning', 'aria-label': 'Reasoning' },
        element('h3', {}, 'Reasoning'),
        element('p', { class: 'text' }, [...item.summary, ...item.content].join('\n')),
      );
    case 'commandExecution': {
      const output = element('pre', { class: 'output' }, item.aggregatedOutput ?? '');
      const details = element('details', { class: 'output-box' }, element('summary', {}, `Output${item.exitCode === null ? '' : ` (exit ${item.exitCode})`}`), output);
      if (item.aggregatedOutput === null)
        details.addEventListener(
          'toggle',
          () => {
            output.textContent = 'loading…';
            void loadOutput(item.id).then(
              (full) => (output.textContent = full !== null && full.type === 'commandExecution' ? (full.aggregatedOutput ?? '(no output)') : '(no output)'),
              (err: unknown) => (output.textContent = `failed: ${String(err)}`),
            );
          },
          { once: true },
        );
      return element(
        'section',
        { class: 'item command', 'aria-label': 'Command' },
        element('h3', {}, 'Command'),
        element('pre', { class: 'command-line' }, `$ ${item.command}`),
        details,
      );
    }
    case 'contextCompaction':
      return element('section', { class: 'item compaction', 'aria-label': 'Context compaction' }, element('h3', {}, 'Context compacted'));
    case 'enteredReviewMode':
    case 'exitedReviewMode':
      return element(
        'section',
        { class: 'item review', 'aria-label': 'Review' },
        element('h3', {}, item.type === 'enteredReviewMode' ? 'Review started' : 'Review finished'),
        element('p', { class: 'text' }, item.review),
      );
    default: {
      const other = item as { type: string };
      return element('section', { class: 'item other', 'aria-label': other.type }, element('h3', {}, other.type), element('pre', {}, JSON.stringify(other, null, 2)));
    }
  }
};
