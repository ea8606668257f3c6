import type { ThreadItem } from '../../domain/thread/threadItem.js';

// An item's words as text (a turn's summary, the Markdown export) rather than as nodes.

/** What a non-text input is called in text: `[image]`, `[local image /p.png]`, `[mention README.txt]`. */
export const inputLabel = (c: Readonly<Record<string, unknown>>): string => {
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
