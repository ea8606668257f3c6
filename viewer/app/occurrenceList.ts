import { element } from './dom.js';

/** A thread's find answer as list items, each a button that jumps to its turn; one `not found` item when there is none. */
export const occurrenceItems = (
  occurrences: ReadonlyArray<{ readonly turnId: string; readonly snippet: string }>,
  jumpTo: (turnId: string) => Promise<unknown>,
): HTMLElement[] => {
  if (occurrences.length === 0) return [element('li', {}, 'not found')];
  return occurrences.map((o) => {
    const button = element('button', { type: 'button', class: 'occurrence' }, o.snippet);
    button.addEventListener('click', () => void jumpTo(o.turnId));
    return element('li', {}, button);
  });
};
