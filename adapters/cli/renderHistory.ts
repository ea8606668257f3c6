import type { Thread } from '../../domain/thread/thread.js';
import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';

/** One line of readable text for an item (the CLI's human view). */
export const itemText = (item: ThreadItem): string => {
  switch (item.type) {
    case 'userMessage':
      return item.content.map((c) => (typeof c['text'] === 'string' ? c['text'] : `[${String(c['type'])}]`)).join(' ');
    case 'agentMessage':
      return item.text;
    case 'reasoning':
      return item.summary.join(' ');
    case 'commandExecution':
      return `$ ${item.command} → exit ${item.exitCode ?? '?'}`;
    case 'enteredReviewMode':
    case 'exitedReviewMode':
      return item.review.split('\n')[0] ?? '';
    case 'contextCompaction':
      return '';
  }
};

export const itemLine = (item: ThreadItem, indent = '    '): string => `${indent}${item.type.padEnd(18)} ${itemText(item)}`;

export const turnLines = (turn: Turn): string[] => [
  `  turn ${turn.id}  ${turn.status}${turn.error ? `: ${turn.error.message}` : ''}${turn.startedAt ? `  ${new Date(turn.startedAt * 1000).toISOString()}` : ''}`,
  ...turn.items.map((i) => itemLine(i)),
];

export const threadHeader = (t: Thread): string[] => [
  `${t.id}${t.name ? `  "${t.name}"` : ''}  (${t.historyMode})`,
  `  path:    ${t.path}`,
  `  cwd:     ${t.cwd}`,
  `  preview: ${t.preview}`,
];

export const cursorsLine = (page: { nextCursor: string | null; backwardsCursor: string | null }): string =>
  [page.nextCursor ? `next: --cursor '${page.nextCursor}'` : 'last page', page.backwardsCursor ? `back: '${page.backwardsCursor}'` : '']
    .filter((s) => s !== '')
    .join('   ');
