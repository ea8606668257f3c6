import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';
import { element, formatTime } from './dom.js';
import { itemNode, turnMarks, turnSummary } from './itemView.js';
import { markdownText } from './markdownView.js';

/** The notLoaded page a turn came in: its summaries are asked for with the same cursor when one of its turns is on screen. */
export interface TurnPage {
  readonly cursor: string | undefined;
  summary: 'none' | 'loading' | 'done';
}

/** A turn's items counted by kind (`rolloutEngine/thread/itemKinds`): its badges while collapsed. */
export type ItemKinds = Readonly<Record<string, number>>;

export interface Row {
  turn: Turn;
  readonly page: TurnPage | null;
  expanded: boolean;
  /** The turn's items once expanded (`thread/items/list`, command output deferred). */
  full: ThreadItem[] | null;
  /** Its items by kind, asked with its page's summaries; null until they come (a live turn: its items as they land). */
  kinds: ItemKinds | null;
  /** Of those, the failed ones by kind (a collapsed turn's badge of a failed command is red). */
  failed: ItemKinds;
  height: number;
}

/** What a turn's menu does (main.ts): fork the thread after this turn, revert it to before this turn. */
export interface TurnActions {
  readonly fork: (turnId: string) => void;
  readonly revert: (turnId: string) => void;
}

/** A turn's tokens as its bar shows them. */
export interface TurnTokens {
  readonly cached: number;
  readonly uncached: number;
  readonly output: number;
  readonly total: number;
}

/** What a row needs of its list: the turn's actions, its deferred outputs, a click on it, the tokens shown. */
export interface TurnRowContext {
  readonly actions: TurnActions;
  readonly loadOutput: (row: Row, itemId: string) => Promise<ThreadItem | null>;
  readonly onClick: (row: Row) => void;
  readonly usage: ReadonlyMap<string, TurnTokens> | null;
  readonly cumulative: ReadonlyMap<string, number> | null;
}

/**
 * A turn's row: its head (status, time, duration, marks, tokens), its error, and its items when
 * expanded (with the turn's actions) or its summary when collapsed.
 */
export const turnRowNode = (row: Row, c: TurnRowContext): HTMLElement => {
  const turn = row.turn;
  // Expanded or live, its items say; collapsed, its kinds from the index (a summary holds two items).
  const marks =
    row.full !== null || row.kinds === null
      ? turnMarks(row.full === null ? turn : { ...turn, items: row.full })
      : turnMarks(turn, { counts: row.kinds, failed: row.failed });
  const head = element(
    'div',
    { class: 'turn-head' },
    element('span', { class: `badge status-${turn.status}` }, turn.status),
    element('time', {}, formatTime(turn.startedAt)),
    turn.durationMs === null
      ? null
      : element('span', { class: 'duration' }, `${(turn.durationMs / 1000).toFixed(1)} s`),
    ...marks.map((m) =>
      element(
        'span',
        {
          class: `mark mark-${m.mark.replace(' ', '-')}${m.failed > 0 ? ' mark-failed' : ''}`,
          title: `${m.mark}: ${m.count}${m.failed > 0 ? `, ${m.failed} failed` : ''}`,
        },
        m.count > 1 ? `${m.mark} ×${m.count}` : m.mark,
      ),
    ),
    turnTokensNode(turn.id, c.usage, c.cumulative),
  );
  const node = element('article', {
    class: `turn${row.expanded ? ' expanded' : ''}`,
    role: 'listitem',
    'data-turn-id': turn.id,
    'data-status': turn.status,
    'aria-expanded': String(row.expanded),
  });
  node.append(head);
  if (turn.error !== null)
    node.append(element('p', { class: 'turn-error', role: 'note' }, `Error: ${turn.error.message}`));
  if (row.expanded && row.full !== null) {
    const fork = element('button', { type: 'button', class: 'turn-action' }, 'Fork from here');
    fork.addEventListener('click', () => c.actions.fork(turn.id));
    const revert = element('button', { type: 'button', class: 'turn-action' }, 'Revert to before this turn');
    revert.addEventListener('click', () => c.actions.revert(turn.id));
    const items = element(
      'div',
      { class: 'items' },
      element('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Turn actions' }, fork, revert),
    );
    for (const item of row.full) items.append(itemNode(item, (id) => c.loadOutput(row, id)));
    node.append(items);
  } else if (turn.itemsView === 'notLoaded') {
    node.append(element('p', { class: 'summary-user loading' }, '…'));
  } else {
    const { user, agent } = turnSummary(turn);
    // The agent's answer is Markdown: its words, without the marks, on the summary's one line.
    node.append(
      element('p', { class: 'summary-user' }, user),
      element('p', { class: 'summary-agent' }, markdownText(agent)),
    );
  }
  node.setAttribute(
    'aria-label',
    `Turn ${turn.status}${row.expanded ? ', expanded' : ''}: ${turnSummary(turn).user.slice(0, 80)}`,
  );
  node.addEventListener('click', (e) => {
    if ((e.target as HTMLElement).closest('.items') !== null) return;
    c.onClick(row);
  });
  return node;
};

/** A turn's token bar: cached input, uncached input and output, scaled to the thread's largest turn. */
export const turnTokensNode = (
  turnId: string,
  usage: ReadonlyMap<string, TurnTokens> | null,
  cumulative: ReadonlyMap<string, number> | null,
): HTMLElement | null => {
  if (usage === null) return null;
  const t = usage.get(turnId);
  if (t === undefined) return element('span', { class: 'turn-tokens' }, 'no tokens');
  let max = 1;
  for (const u of usage.values()) max = Math.max(max, u.total);
  const part = (cls: string, v: number): HTMLElement => {
    const s = element('span', { class: cls });
    s.style.width = `${((v / max) * 100).toFixed(2)}%`;
    return s;
  };
  const sum = cumulative?.get(turnId);
  return element(
    'span',
    { class: 'turn-tokens' },
    element(
      'span',
      { class: 'chart-bar turn-bar', 'aria-hidden': 'true' },
      part('token-cached', t.cached),
      part('token-uncached', t.uncached),
      part('token-output', t.output),
    ),
    `${t.total.toLocaleString('en-US')} tokens${sum === undefined ? '' : ` · ${sum.toLocaleString('en-US')} so far`}`,
  );
};
