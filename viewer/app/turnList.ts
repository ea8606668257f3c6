import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';
import { element, formatTime } from './dom.js';
import { itemNode, turnMarks, turnSummary } from './itemView.js';
import { markdownText } from './markdownView.js';
import type { RpcClient } from './rpcClient.js';
import type { TurnPage as Page } from '../../protocol/turns.js';
import type { ItemPage } from '../../protocol/items.js';

/** Turns per request (the server's bound); a collapsed turn's height (CSS `.turn`); rows drawn beyond the screen. */
const PAGE = 100;
const ROW_HEIGHT = 96;
const OVERSCAN = 6;
/** Start loading older turns when the screen's top is this close to the oldest loaded one. */
const LOAD_AHEAD_PX = 3 * 1000;

/** The notLoaded page a turn came in: its summaries are asked for with the same cursor when one of its turns is on screen. */
interface TurnPage {
  readonly cursor: string | undefined;
  summary: 'none' | 'loading' | 'done';
}

/** A turn's items counted by kind (`rolloutEngine/thread/itemKinds`): its badges while collapsed. */
type ItemKinds = Readonly<Record<string, number>>;

interface Row {
  turn: Turn;
  readonly page: TurnPage | null;
  expanded: boolean;
  /** The turn's items once expanded (`thread/items/list`, command output deferred). */
  full: ThreadItem[] | null;
  /** Its items by kind, asked with its page's summaries; null until they come (a live turn: its items as they land). */
  kinds: ItemKinds | null;
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

export interface TurnListElements {
  readonly scroller: HTMLElement;
  readonly space: HTMLElement;
  readonly status: HTMLElement;
}

/**
 * A thread's turns, oldest at the top, as a virtualised list: only the rows on screen (and a few
 * around) are in the DOM, positioned by the heights of those before them (a collapsed row's fixed
 * height, an expanded one's measured). Turns come as `notLoaded` pages, newest first, older ones
 * as the top comes near; a page's summaries when one of its turns is drawn; a turn's full items
 * when it is expanded. Never the whole thread at once.
 */
export class TurnList {
  private threadId: string | null = null;
  /** Answers for an earlier thread are dropped. */
  private generation = 0;
  private rows: Row[] = [];
  private readonly byId = new Map<string, Row>();
  private readonly nodes = new Map<Row, HTMLElement>();
  private offsets: number[] = [0];
  private offsetsDirty = false;
  /** The cursor to the next older page; null once the first turn is loaded. */
  private olderCursor: string | null = null;
  private loadingOlder: Promise<void> | null = null;
  private focusIndex = -1;
  private drawQueued = false;
  /** Each turn's tokens (`rolloutEngine/tokens/charts` with the thread), when the reader asked for them; null otherwise. */
  private usage: ReadonlyMap<string, TurnTokens> | null = null;
  /** Tokens up to and with each turn: known once the first turn is loaded. */
  private cumulative: Map<string, number> | null = null;
  /** The last turn was in view at the last scroll: a new turn or a smaller box keeps it there. */
  private atEnd = true;

  constructor(
    private readonly rpc: RpcClient,
    private readonly els: TurnListElements,
    private readonly onFocusTurn: (turnId: string) => void,
    private readonly actions: TurnActions,
  ) {
    els.scroller.addEventListener('scroll', () => {
      this.atEnd = els.scroller.scrollTop + els.scroller.clientHeight >= this.totalHeight() - 4;
      this.queueDraw();
    });
    els.scroller.addEventListener('keydown', (e) => this.onKey(e));
    rpc.onNotification((method, params) => this.onNotification(method, params));
    // The list's box changed (the header grew, the window): the end stays in view if it was.
    new ResizeObserver(() => {
      if (this.atEnd) els.scroller.scrollTop = this.totalHeight();
      this.queueDraw();
    }).observe(els.scroller);
  }

  /** Show no thread: the one shown is left (unsubscribed) and its rows taken out; answers still coming for it are dropped. */
  close(): void {
    this.reset(null);
    this.sizeSpace();
    this.setStatus('');
  }

  /** Leave the thread shown for `threadId` (null: none): its rows gone, its answers dropped from now on. */
  private reset(threadId: string | null): void {
    if (this.threadId !== null && this.threadId !== threadId) void this.rpc.typed.request('thread/unsubscribe', { threadId: this.threadId }).catch(() => undefined);
    this.generation += 1;
    this.threadId = threadId;
    this.rows = [];
    this.byId.clear();
    for (const node of this.nodes.values()) node.remove();
    this.nodes.clear();
    this.offsetsDirty = true;
    this.olderCursor = null;
    this.loadingOlder = null;
    this.focusIndex = -1;
    this.usage = null;
    this.cumulative = null;
  }

  /** Show a thread: its newest page first, scrolled to the end. A page that cannot be read is said in the status line. */
  async open(threadId: string): Promise<void> {
    this.reset(threadId);
    const generation = this.generation;
    this.setStatus('loading turns…');
    let page: Page;
    try {
      page = await this.rpc.typed.request('thread/turns/list', { threadId, limit: PAGE, sortDirection: 'desc', itemsView: 'notLoaded' });
    } catch (err) {
      if (generation === this.generation) this.setStatus(`turns failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (generation !== this.generation) return;
    this.prepend(page, undefined);
    this.focusIndex = this.rows.length - 1;
    this.sizeSpace();
    this.els.scroller.scrollTop = this.els.scroller.scrollHeight;
    this.draw();
    this.setStatus(this.rows.length === 0 ? 'no turns' : '');
    // Follow the thread: turns a running Codex (or rollout/append) adds appear as they land.
    await this.rpc.typed.request('rolloutEngine/thread/subscribe', { threadId }).catch(() => undefined);
  }

  /** Show each turn's tokens as a bar (and the running total once the first turn is loaded); null hides them. */
  showTokens(usage: ReadonlyMap<string, TurnTokens> | null): void {
    this.usage = usage;
    this.recount();
    for (const row of [...this.nodes.keys()]) this.invalidate(row);
    this.draw();
  }

  private recount(): void {
    this.cumulative = null;
    if (this.usage === null || this.olderCursor !== null) return;
    const sums = new Map<string, number>();
    let sum = 0;
    for (const row of this.rows) {
      sum += this.usage.get(row.turn.id)?.total ?? 0;
      sums.set(row.turn.id, sum);
    }
    this.cumulative = sums;
  }

  /** How many turn rows are in the DOM now (the bound the test checks). */
  get drawnRows(): number {
    return this.nodes.size;
  }

  /** Load older pages until `turnId` is loaded (or the start is), then expand it and move focus there. */
  async jumpTo(turnId: string): Promise<boolean> {
    const generation = this.generation;
    while (!this.byId.has(turnId) && this.olderCursor !== null) {
      this.setStatus('looking for the turn…');
      await this.loadOlder();
      if (generation !== this.generation) return false;
    }
    this.setStatus('');
    const row = this.byId.get(turnId);
    if (row === undefined) return false;
    const index = this.rows.indexOf(row);
    if (!row.expanded) await this.toggle(index);
    // Another thread opened while the turn's items loaded: the jump is over (its index is not a row there).
    if (generation !== this.generation) return false;
    this.moveFocus(index, 'top');
    return true;
  }

  /** Load every older page, then show the first turn. */
  async goToStart(): Promise<void> {
    const generation = this.generation;
    while (this.olderCursor !== null) {
      this.setStatus(`loading older turns… (${this.rows.length} so far)`);
      await this.loadOlder();
      if (generation !== this.generation) return;
    }
    this.setStatus('');
    this.moveFocus(0, 'top');
  }

  private setStatus(text: string): void {
    this.els.status.textContent = text;
  }

  private prepend(page: Page, cursor: string | undefined): number {
    const turnPage: TurnPage = { cursor, summary: 'none' };
    const older: Row[] = [];
    for (const turn of page.data) {
      if (this.byId.has(turn.id)) continue;
      const row: Row = { turn, page: turnPage, expanded: false, full: null, kinds: null, height: ROW_HEIGHT };
      this.byId.set(turn.id, row);
      older.push(row);
    }
    older.reverse();
    this.rows = [...older, ...this.rows];
    this.olderCursor = page.nextCursor;
    this.offsetsDirty = true;
    return older.length;
  }

  private loadOlder(): Promise<void> {
    if (this.loadingOlder !== null) return this.loadingOlder;
    const cursor = this.olderCursor;
    const threadId = this.threadId;
    if (cursor === null || threadId === null) return Promise.resolve();
    const generation = this.generation;
    this.loadingOlder = this.rpc.typed
      .request('thread/turns/list', { threadId, cursor, limit: PAGE, sortDirection: 'desc', itemsView: 'notLoaded' })
      .then((page) => {
        if (generation !== this.generation) return;
        const before = this.totalHeight();
        const added = this.prepend(page, cursor);
        // Keep what is on screen where it was: the rows above it grew.
        this.sizeSpace();
        this.els.scroller.scrollTop += this.totalHeight() - before;
        this.focusIndex += added;
        if (this.usage !== null && this.olderCursor === null) {
          this.recount();
          for (const row of [...this.nodes.keys()]) this.invalidate(row);
        }
        this.draw();
      })
      .finally(() => {
        if (generation === this.generation) this.loadingOlder = null;
      });
    return this.loadingOlder;
  }

  /** A page's summaries (Codex's: first user and last agent message), then what its turns hold by kind, for the badges a summary cannot give. */
  private loadSummaries(page: TurnPage): void {
    const threadId = this.threadId;
    if (threadId === null) return;
    page.summary = 'loading';
    const generation = this.generation;
    void this.rpc.typed
      .request('thread/turns/list', { threadId, ...(page.cursor === undefined ? {} : { cursor: page.cursor }), limit: PAGE, sortDirection: 'desc', itemsView: 'summary' })
      .then(async (answer) => {
        if (generation !== this.generation) return;
        page.summary = 'done';
        for (const turn of answer.data) {
          const row = this.byId.get(turn.id);
          if (row === undefined || row.turn.itemsView !== 'notLoaded') continue;
          row.turn = turn;
          this.invalidate(row);
        }
        this.queueDraw();
        const { turns } = await this.rpc.typed.request('rolloutEngine/thread/itemKinds', { threadId, turnIds: answer.data.map((t) => t.id) });
        if (generation !== this.generation) return;
        for (const [turnId, kinds] of Object.entries(turns)) {
          const row = this.byId.get(turnId);
          if (row === undefined) continue;
          row.kinds = kinds;
          this.invalidate(row);
        }
        this.queueDraw();
      })
      .catch((err: unknown) => {
        page.summary = 'none';
        this.setStatus(`summaries failed: ${String(err)}`);
      });
  }

  private async loadItems(row: Row): Promise<void> {
    const threadId = this.threadId;
    if (threadId === null) return;
    const items: ThreadItem[] = [];
    let cursor: string | null = null;
    do {
      const page: ItemPage = await this.rpc.typed.request('thread/items/list', {
        threadId,
        turnId: row.turn.id,
        limit: PAGE,
        deferOutput: { commandExecution: true },
        ...(cursor === null ? {} : { cursor }),
      });
      items.push(...page.data.map((e) => e.item));
      cursor = page.nextCursor;
    } while (cursor !== null);
    row.full = items;
  }

  /** A command's output, deferred when the turn was expanded: the one item, anchored on its neighbour in the turn. */
  private async loadOutput(row: Row, itemId: string): Promise<ThreadItem | null> {
    const items = row.full ?? [];
    const at = items.findIndex((i) => i.id === itemId);
    const before = items[at - 1];
    const after = items[at + 1];
    const threadId = this.threadId;
    if (threadId === null) return null;
    const params =
      before !== undefined
        ? { cursor: { type: 'item' as const, itemId: before.id }, sortDirection: 'asc' as const }
        : after !== undefined
          ? { cursor: { type: 'item' as const, itemId: after.id }, sortDirection: 'desc' as const }
          : { sortDirection: 'asc' as const };
    const page = await this.rpc.typed.request('thread/items/list', { threadId, turnId: row.turn.id, limit: 1, ...params });
    return page.data.find((e) => e.item.id === itemId)?.item ?? null;
  }

  private async toggle(index: number): Promise<void> {
    const row = this.rows[index];
    if (row === undefined) return;
    const generation = this.generation;
    row.expanded = !row.expanded;
    if (row.expanded && row.full === null) {
      this.setStatus('loading items…');
      try {
        await this.loadItems(row);
      } catch (err) {
        row.expanded = false;
        this.setStatus(`items failed: ${String(err)}`);
        return;
      }
      if (generation !== this.generation) return;
      this.setStatus('');
    }
    if (!row.expanded) row.height = ROW_HEIGHT;
    this.invalidate(row);
    this.draw();
  }

  /** A drawn row's turn, items or tokens changed: its node is built again, in its place. */
  private invalidate(row: Row): void {
    const node = this.nodes.get(row);
    if (node === undefined) return;
    // Replaced now, not by the next draw: a focused node taken out until then left the focus on the
    // page's body for a frame or more (keys pressed meanwhile lost) whenever an answer (a page's
    // summaries, its kinds) or a live item redrew the focused turn.
    const fresh = this.rowNode(row);
    fresh.style.top = node.style.top;
    fresh.tabIndex = node.tabIndex;
    for (const name of ['aria-posinset', 'aria-setsize']) fresh.setAttribute(name, node.getAttribute(name) ?? '');
    const focused = node === document.activeElement;
    node.replaceWith(fresh);
    this.nodes.set(row, fresh);
    if (focused) fresh.focus({ preventScroll: true });
  }

  private ensureOffsets(): void {
    if (!this.offsetsDirty) return;
    const offsets = new Array<number>(this.rows.length + 1);
    offsets[0] = 0;
    for (let i = 0; i < this.rows.length; i++) offsets[i + 1] = offsets[i]! + this.rows[i]!.height;
    this.offsets = offsets;
    this.offsetsDirty = false;
  }

  private totalHeight(): number {
    this.ensureOffsets();
    return this.offsets[this.rows.length] ?? 0;
  }

  /** The first row whose bottom is below `y`. */
  private rowAt(y: number): number {
    let lo = 0;
    let hi = this.rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid + 1]! <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private queueDraw(): void {
    if (this.drawQueued) return;
    this.drawQueued = true;
    requestAnimationFrame(() => {
      this.drawQueued = false;
      this.draw();
    });
  }

  private sizeSpace(): void {
    this.els.space.style.height = `${this.totalHeight()}px`;
  }

  /** Put the rows on screen into the DOM (and take the others out), then ask for what they lack. */
  private draw(): void {
    const { scroller, space } = this.els;
    this.sizeSpace();
    if (this.rows.length === 0) return;
    const top = scroller.scrollTop;
    const first = Math.max(0, this.rowAt(top) - OVERSCAN);
    const last = Math.min(this.rows.length - 1, this.rowAt(top + scroller.clientHeight) + OVERSCAN);
    const hadFocus = scroller.contains(document.activeElement) && document.activeElement !== scroller;
    const keep = new Set<Row>();
    let measuredChange = false;
    for (let i = first; i <= last; i++) {
      const row = this.rows[i]!;
      keep.add(row);
      let node = this.nodes.get(row);
      if (node === undefined) {
        node = this.rowNode(row);
        this.nodes.set(row, node);
        space.append(node);
      }
      node.style.top = `${this.offsets[i]}px`;
      node.setAttribute('aria-posinset', String(i + 1));
      node.tabIndex = i === this.focusIndex ? 0 : -1;
      if (row.expanded) {
        const h = node.offsetHeight;
        if (h !== row.height) {
          row.height = h;
          this.offsetsDirty = true;
          measuredChange = true;
        }
      }
    }
    for (const row of [...this.nodes.keys()])
      if (!keep.has(row)) {
        this.nodes.get(row)!.remove();
        this.nodes.delete(row);
      }
    const setSize = this.olderCursor === null ? String(this.rows.length) : '-1';
    for (const node of this.nodes.values()) node.setAttribute('aria-setsize', setSize);
    if (hadFocus) this.nodes.get(this.rows[this.focusIndex]!)?.focus({ preventScroll: true });
    // The focused row scrolled away (its node taken out, the focus with it): the list keeps the keyboard.
    if (hadFocus && !scroller.contains(document.activeElement)) scroller.focus({ preventScroll: true });
    if (measuredChange) this.queueDraw();
    for (let i = first; i <= last; i++) {
      const page = this.rows[i]!.page;
      if (page !== null && page.summary === 'none' && this.rows[i]!.turn.itemsView === 'notLoaded') this.loadSummaries(page);
    }
    if (this.olderCursor !== null && top < LOAD_AHEAD_PX) void this.loadOlder();
  }

  private rowNode(row: Row): HTMLElement {
    const turn = row.turn;
    // Expanded or live, its items say; collapsed, its kinds from the index (a summary holds two items).
    const marks = row.full !== null || row.kinds === null ? turnMarks(row.full === null ? turn : { ...turn, items: row.full }) : turnMarks(turn, row.kinds);
    const head = element(
      'div',
      { class: 'turn-head' },
      element('span', { class: `badge status-${turn.status}` }, turn.status),
      element('time', {}, formatTime(turn.startedAt)),
      turn.durationMs === null ? null : element('span', { class: 'duration' }, `${(turn.durationMs / 1000).toFixed(1)} s`),
      ...marks.map((m) =>
        element('span', { class: `mark mark-${m.mark.replace(' ', '-')}`, title: `${m.mark}: ${m.count}` }, m.count > 1 ? `${m.mark} ×${m.count}` : m.mark),
      ),
      this.tokensNode(turn.id),
    );
    const node = element('article', {
      class: `turn${row.expanded ? ' expanded' : ''}`,
      role: 'listitem',
      'data-turn-id': turn.id,
      'data-status': turn.status,
      'aria-expanded': String(row.expanded),
    });
    node.append(head);
    if (turn.error !== null) node.append(element('p', { class: 'turn-error', role: 'note' }, `Error: ${turn.error.message}`));
    if (row.expanded && row.full !== null) {
      const fork = element('button', { type: 'button', class: 'turn-action' }, 'Fork from here');
      fork.addEventListener('click', () => this.actions.fork(turn.id));
      const revert = element('button', { type: 'button', class: 'turn-action' }, 'Revert to before this turn');
      revert.addEventListener('click', () => this.actions.revert(turn.id));
      const items = element('div', { class: 'items' }, element('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Turn actions' }, fork, revert));
      for (const item of row.full) items.append(itemNode(item, (id) => this.loadOutput(row, id)));
      node.append(items);
    } else if (turn.itemsView === 'notLoaded') {
      node.append(element('p', { class: 'summary-user loading' }, '…'));
    } else {
      const { user, agent } = turnSummary(turn);
      // The agent's answer is Markdown: its words, without the marks, on the summary's one line.
      node.append(element('p', { class: 'summary-user' }, user), element('p', { class: 'summary-agent' }, markdownText(agent)));
    }
    node.setAttribute('aria-label', `Turn ${turn.status}${row.expanded ? ', expanded' : ''}: ${turnSummary(turn).user.slice(0, 80)}`);
    node.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('.items') !== null) return;
      const index = this.rows.indexOf(row);
      this.focusIndex = index;
      void this.toggle(index).then(() => this.moveFocus(this.rows.indexOf(row), 'nearest'));
    });
    return node;
  }

  /** A turn's token bar: cached input, uncached input and output, scaled to the thread's largest turn. */
  private tokensNode(turnId: string): HTMLElement | null {
    if (this.usage === null) return null;
    const t = this.usage.get(turnId);
    if (t === undefined) return element('span', { class: 'turn-tokens' }, 'no tokens');
    let max = 1;
    for (const u of this.usage.values()) max = Math.max(max, u.total);
    const part = (cls: string, v: number): HTMLElement => {
      const s = element('span', { class: cls });
      s.style.width = `${((v / max) * 100).toFixed(2)}%`;
      return s;
    };
    const sum = this.cumulative?.get(turnId);
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
  }

  /** Bring row `index` on screen and give it the keyboard focus. */
  private moveFocus(index: number, align: 'top' | 'nearest'): void {
    const row = this.rows[index];
    if (row === undefined) return;
    this.focusIndex = index;
    this.ensureOffsets();
    const { scroller } = this.els;
    const y = this.offsets[index]!;
    if (align === 'top' || y < scroller.scrollTop) scroller.scrollTop = y;
    else if (y + row.height > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = y + row.height - scroller.clientHeight;
    this.draw();
    this.nodes.get(row)?.focus({ preventScroll: true });
    this.onFocusTurn(row.turn.id);
  }

  private onKey(e: KeyboardEvent): void {
    if ((e.target as HTMLElement).closest('.items') !== null || this.rows.length === 0) return;
    const at = this.focusIndex < 0 ? this.rows.length - 1 : this.focusIndex;
    const page = Math.max(1, Math.floor(this.els.scroller.clientHeight / ROW_HEIGHT));
    const to: Record<string, () => void> = {
      ArrowDown: () => this.moveFocus(Math.min(this.rows.length - 1, at + 1), 'nearest'),
      ArrowUp: () => this.moveFocus(Math.max(0, at - 1), 'nearest'),
      PageDown: () => this.moveFocus(Math.min(this.rows.length - 1, at + page), 'nearest'),
      PageUp: () => this.moveFocus(Math.max(0, at - page), 'nearest'),
      Home: () => void this.goToStart(),
      End: () => this.moveFocus(this.rows.length - 1, 'nearest'),
      Enter: () => void this.toggle(at).then(() => this.moveFocus(at, 'nearest')),
      ' ': () => void this.toggle(at).then(() => this.moveFocus(at, 'nearest')),
    };
    const action = to[e.key];
    if (action === undefined) return;
    e.preventDefault();
    action();
  }

  private onNotification(method: string, params: unknown): void {
    const p = params as { threadId?: string; turn?: Turn; turnId?: string; item?: ThreadItem };
    if (this.threadId === null || p.threadId !== this.threadId) return;
    const { scroller } = this.els;
    const atBottom = scroller.scrollTop + scroller.clientHeight >= this.totalHeight() - 4;
    if (method === 'turn/started' && p.turn !== undefined && !this.byId.has(p.turn.id)) {
      const row: Row = { turn: { ...p.turn, items: [], itemsView: 'summary' }, page: null, expanded: false, full: null, kinds: null, height: ROW_HEIGHT };
      this.byId.set(p.turn.id, row);
      this.rows.push(row);
      this.offsetsDirty = true;
    } else if (method === 'item/completed' && p.turnId !== undefined && p.item !== undefined) {
      const row = this.byId.get(p.turnId);
      if (row === undefined) return;
      if (row.turn.itemsView !== 'notLoaded') row.turn = { ...row.turn, items: [...row.turn.items, p.item] };
      if (row.full !== null) row.full = [...row.full, p.item];
      if (row.kinds !== null) row.kinds = { ...row.kinds, [p.item.type]: (row.kinds[p.item.type] ?? 0) + 1 };
      this.invalidate(row);
    } else if (method === 'turn/completed' && p.turn !== undefined) {
      const row = this.byId.get(p.turn.id);
      if (row === undefined) return;
      const { status, error, completedAt, durationMs } = p.turn;
      row.turn = { ...row.turn, status, error, completedAt, durationMs };
      this.invalidate(row);
    } else return;
    this.sizeSpace();
    if (atBottom) scroller.scrollTop = this.totalHeight();
    this.draw();
  }
}
