// long: one class, the list's state and its DOM changing in the same steps
// (rows, nodes, focus, paging); a row's drawing, its tops and its reads are turnRow.ts,
// rowOffsets.ts and turnItems.ts.
import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';
import type { Row, TurnActions, TurnPage, TurnTokens } from './turnRow.js';
import { turnRowNode } from './turnRow.js';
import { RowOffsets } from './rowOffsets.js';
import { cumulativeTokens, deferredItem, turnItems } from './turnItems.js';
import type { RpcClient } from './rpcClient.js';
import type { TurnPage as Page } from '../../protocol/turns.js';

/** Turns per request (the server's bound); a collapsed turn's least height (CSS `.turn`), its height until drawn; rows drawn beyond the screen. */
const PAGE = 100;
const ROW_HEIGHT = 96;
const OVERSCAN = 6;
/** Start loading older turns when the screen's top is this close to the oldest loaded one. */
const LOAD_AHEAD_PX = 3 * 1000;

export interface TurnListElements {
  readonly scroller: HTMLElement;
  readonly space: HTMLElement;
  readonly status: HTMLElement;
}

/**
 * A thread's turns, oldest at the top, as a virtualised list: only the rows on screen (and a few
 * around) are in the DOM, positioned by the heights of those before them (each drawn row's measured
 * height; ROW_HEIGHT for one not drawn yet). Turns come as `notLoaded` pages, newest first, older ones
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
  private readonly layout = new RowOffsets(() => this.rows);
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
  /**
   * The list as last seen (at a scroll event or a pin to the end): a scroll up from there, the list's
   * box and space unchanged, is the reader's. One whose box or space changed meanwhile is the browser
   * clamping to a shorter space or a taller box, seen only after our next sizing (the status line
   * emptied, then the space grew: the clamp's event arrived with the end further down).
   */
  private seen = { top: 0, client: 0, height: 0 };
  /** A drawn row's box changed after it was measured (its content grew or wrapped later): measured again. */
  private readonly rowSizes = new ResizeObserver(() => {
    for (const [row, node] of this.nodes)
      if (node.offsetHeight !== row.height) {
        this.queueDraw();
        return;
      }
  });

  constructor(
    private readonly rpc: RpcClient,
    private readonly els: TurnListElements,
    private readonly onFocusTurn: (turnId: string) => void,
    private readonly actions: TurnActions,
  ) {
    els.scroller.addEventListener('scroll', () => {
      // Only the reader leaves the end, and only upwards (see `seen`): our pins and an older page's shift
      // move down or land at the end. Our pin's event comes a frame later, maybe after the space grew,
      // so "not at the bottom" alone says nothing of the reader.
      const { scrollTop, clientHeight, scrollHeight } = els.scroller;
      const seen = this.seen;
      if (scrollTop + clientHeight >= scrollHeight - 4) this.atEnd = true;
      else if (scrollTop < seen.top - 1 && clientHeight === seen.client && scrollHeight === seen.height)
        this.atEnd = false;
      this.see();
      this.queueDraw();
    });
    els.scroller.addEventListener('keydown', (e) => this.onKey(e));
    rpc.onNotification((method, params) => this.onNotification(method, params));
    // The list's box changed (the header grew, the window): the end stays in view if it was.
    new ResizeObserver(() => {
      // The room after the rows depends on the box's height: sized again before the pin, or the pin stops short.
      this.sizeSpace();
      if (this.atEnd) this.pinToEnd();
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
    if (this.threadId !== null && this.threadId !== threadId)
      void this.rpc.typed.request('thread/unsubscribe', { threadId: this.threadId }).catch(() => undefined);
    this.generation += 1;
    this.threadId = threadId;
    this.rows = [];
    this.byId.clear();
    for (const node of this.nodes.values()) this.dropNode(node);
    this.nodes.clear();
    this.layout.stale();
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
      page = await this.rpc.typed.request('thread/turns/list', {
        threadId,
        limit: PAGE,
        sortDirection: 'desc',
        itemsView: 'notLoaded',
      });
    } catch (err) {
      if (generation === this.generation)
        this.setStatus(`turns failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (generation !== this.generation) return;
    this.prepend(page, undefined);
    this.focusIndex = this.rows.length - 1;
    this.sizeSpace();
    this.atEnd = true;
    this.pinToEnd();
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
    this.cumulative = this.usage === null || this.olderCursor !== null ? null : cumulativeTokens(this.rows, this.usage);
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
      const row: Row = {
        turn,
        page: turnPage,
        expanded: false,
        full: null,
        kinds: null,
        failed: {},
        height: ROW_HEIGHT,
      };
      this.byId.set(turn.id, row);
      older.push(row);
    }
    older.reverse();
    this.rows = [...older, ...this.rows];
    this.olderCursor = page.nextCursor;
    this.layout.stale();
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
        const before = this.layout.total();
        const added = this.prepend(page, cursor);
        // Keep what is on screen where it was: the rows above it grew.
        this.sizeSpace();
        this.els.scroller.scrollTop += this.layout.total() - before;
        this.focusIndex += added;
        if (this.usage !== null && this.olderCursor === null) {
          this.recount();
          for (const row of [...this.nodes.keys()]) this.invalidate(row);
        }
        this.draw();
      })
      // A dropped connection (the page reconnects and reads the thread again) is said, never an unhandled rejection.
      .catch((err: unknown) => {
        if (generation === this.generation)
          this.setStatus(`older turns failed: ${err instanceof Error ? err.message : String(err)}`);
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
      .request('thread/turns/list', {
        threadId,
        ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
        limit: PAGE,
        sortDirection: 'desc',
        itemsView: 'summary',
      })
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
        const { turns, failed } = await this.rpc.typed.request('rolloutEngine/thread/itemKinds', {
          threadId,
          turnIds: answer.data.map((t) => t.id),
        });
        if (generation !== this.generation) return;
        for (const [turnId, kinds] of Object.entries(turns)) {
          const row = this.byId.get(turnId);
          if (row === undefined) continue;
          row.kinds = kinds;
          row.failed = failed[turnId] ?? {};
          this.invalidate(row);
        }
        this.queueDraw();
      })
      .catch((err: unknown) => {
        page.summary = 'none';
        this.setStatus(`summaries failed: ${String(err)}`);
      });
  }

  /** A command's output, deferred when the turn was expanded. */
  private loadOutput(row: Row, itemId: string): Promise<ThreadItem | null> {
    return this.threadId === null
      ? Promise.resolve(null)
      : deferredItem(this.rpc, this.threadId, row.turn.id, row.full ?? [], itemId);
  }

  private async toggle(index: number): Promise<void> {
    const row = this.rows[index];
    if (row === undefined) return;
    const generation = this.generation;
    row.expanded = !row.expanded;
    if (row.expanded && row.full === null) {
      this.setStatus('loading items…');
      try {
        if (this.threadId !== null) row.full = await turnItems(this.rpc, this.threadId, row.turn.id, PAGE);
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
    this.rowSizes.unobserve(node);
    node.replaceWith(fresh);
    this.rowSizes.observe(fresh);
    this.nodes.set(row, fresh);
    if (focused) fresh.focus({ preventScroll: true });
  }

  private dropNode(node: HTMLElement): void {
    this.rowSizes.unobserve(node);
    node.remove();
  }

  private queueDraw(): void {
    if (this.drawQueued) return;
    this.drawQueued = true;
    requestAnimationFrame(() => {
      this.drawQueued = false;
      this.draw();
    });
  }

  /**
   * Room below the last turn so that the end of the thread shows a whole turn at the top of the
   * list: scrolled to the end, the rows' own end would leave a clipped sliver of a row there (an
   * empty band: its bottom padding). None when the rows end on a row's top, or when the row at
   * the top would be the last (a turn taller than the list).
   */
  private endPad(): number {
    const end = this.layout.total() - this.els.scroller.clientHeight;
    if (end <= 0) return 0;
    const atTop = this.layout.rowAt(end);
    if (this.layout.top(atTop) === end || atTop + 1 >= this.rows.length) return 0;
    return this.layout.top(atTop + 1) - end;
  }

  /** Scroll to the end of the space (as last sized), remembering where: its scroll event is ours. */
  private pinToEnd(): void {
    this.els.scroller.scrollTop = this.spaceHeight();
    this.see();
  }

  private see(): void {
    const { scrollTop, clientHeight, scrollHeight } = this.els.scroller;
    this.seen = { top: scrollTop, client: clientHeight, height: scrollHeight };
  }

  /** The scrolled space: the rows, and the room after them. */
  private spaceHeight(): number {
    return this.layout.total() + this.endPad();
  }

  private sizeSpace(): void {
    this.els.space.style.height = `${this.spaceHeight()}px`;
  }

  /** Put the rows on screen into the DOM (and take the others out), then ask for what they lack. */
  private draw(): void {
    const { scroller, space } = this.els;
    this.sizeSpace();
    if (this.rows.length === 0) return;
    // Rows measured since (their heights, the room after them): the end stays in view if it was.
    if (this.atEnd) this.pinToEnd();
    const top = scroller.scrollTop;
    const first = Math.max(0, this.layout.rowAt(top) - OVERSCAN);
    const last = Math.min(this.rows.length - 1, this.layout.rowAt(top + scroller.clientHeight) + OVERSCAN);
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
        this.rowSizes.observe(node);
      }
      node.style.top = `${this.layout.top(i)}px`;
      node.setAttribute('aria-posinset', String(i + 1));
      node.tabIndex = i === this.focusIndex ? 0 : -1;
      // Measured whether expanded or not: a collapsed row whose badges wrap is taller than ROW_HEIGHT.
      const h = node.offsetHeight;
      if (h !== row.height) {
        row.height = h;
        this.layout.stale();
        measuredChange = true;
      }
    }
    for (const row of [...this.nodes.keys()])
      if (!keep.has(row)) {
        this.dropNode(this.nodes.get(row)!);
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
      if (page !== null && page.summary === 'none' && this.rows[i]!.turn.itemsView === 'notLoaded')
        this.loadSummaries(page);
    }
    if (this.olderCursor !== null && top < LOAD_AHEAD_PX) void this.loadOlder();
  }

  private rowNode(row: Row): HTMLElement {
    return turnRowNode(row, {
      actions: this.actions,
      loadOutput: (r, id) => this.loadOutput(r, id),
      onClick: (r) => {
        const index = this.rows.indexOf(r);
        this.focusIndex = index;
        void this.toggle(index).then(() => this.moveFocus(this.rows.indexOf(r), 'nearest'));
      },
      usage: this.usage,
      cumulative: this.cumulative,
    });
  }

  /** Bring row `index` on screen and give it the keyboard focus. */
  private moveFocus(index: number, align: 'top' | 'nearest'): void {
    const row = this.rows[index];
    if (row === undefined) return;
    this.focusIndex = index;
    this.layout.ensure();
    const { scroller } = this.els;
    const y = this.layout.top(index);
    if (align === 'top' || y < scroller.scrollTop) scroller.scrollTop = y;
    else if (y + row.height > scroller.scrollTop + scroller.clientHeight)
      scroller.scrollTop = y + row.height - scroller.clientHeight;
    // Moved here by the reader (a key, a link): the end is kept in view only if this is it (the scroll event comes after the draw).
    this.atEnd = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 4;
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
    const atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 4;
    if (method === 'turn/started' && p.turn !== undefined && !this.byId.has(p.turn.id)) {
      const row: Row = {
        turn: { ...p.turn, items: [], itemsView: 'summary' },
        page: null,
        expanded: false,
        full: null,
        kinds: null,
        failed: {},
        height: ROW_HEIGHT,
      };
      this.byId.set(p.turn.id, row);
      this.rows.push(row);
      this.layout.stale();
    } else if (method === 'item/completed' && p.turnId !== undefined && p.item !== undefined) {
      const row = this.byId.get(p.turnId);
      if (row === undefined) return;
      if (row.turn.itemsView !== 'notLoaded') row.turn = { ...row.turn, items: [...row.turn.items, p.item] };
      if (row.full !== null) row.full = [...row.full, p.item];
      if (row.kinds !== null) row.kinds = { ...row.kinds, [p.item.type]: (row.kinds[p.item.type] ?? 0) + 1 };
      if ('status' in p.item && p.item.status === 'failed')
        row.failed = { ...row.failed, [p.item.type]: (row.failed[p.item.type] ?? 0) + 1 };
      this.invalidate(row);
    } else if (method === 'turn/completed' && p.turn !== undefined) {
      const row = this.byId.get(p.turn.id);
      if (row === undefined) return;
      const { status, error, completedAt, durationMs } = p.turn;
      row.turn = { ...row.turn, status, error, completedAt, durationMs };
      this.invalidate(row);
    } else return;
    this.sizeSpace();
    if (atBottom) this.pinToEnd();
    this.draw();
  }
}
