import type { ThreadTree, ThreadTreeNode } from '../../replay/history/readThreadTree.js';
import { element, formatTime } from './dom.js';

/**
 * The thread's family (`rolloutEngine/thread/tree`) as nested lists: each thread a button that
 * opens it, its relation (fork, review, sub-agent) marked, the open one `aria-current`.
 */
export const treeNode = (tree: ThreadTree, open: (threadId: string) => void): HTMLElement => {
  const node = (n: ThreadTreeNode): HTMLElement => {
    const label = n.name ?? (n.preview === '' ? n.id : n.preview);
    const button = element(
      'button',
      { type: 'button', class: 'tree-entry', 'data-thread-id': n.id, 'aria-current': String(n.id === tree.threadId) },
      element('span', { class: `mark relation-${n.relation}` }, n.relation),
      ` ${label.slice(0, 120)} `,
      element('span', { class: 'meta' }, `${formatTime(n.createdAt)}${n.archived ? ' · archived' : ''}`),
    );
    button.addEventListener('click', () => open(n.id));
    const item = element('li', {}, button);
    if (n.children.length > 0) item.append(element('ul', {}, ...n.children.map(node)));
    return item;
  };
  return element('ul', { class: 'tree', 'aria-label': 'Forks and reviews of this thread' }, node(tree.root));
};
