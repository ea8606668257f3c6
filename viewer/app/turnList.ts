// A row's drawing, its tops and its reads are turnRow.ts, rowOffsets.ts and turnItems.ts; the rows
// loaded and what they are asked with, turnPages.ts.
import type { Row, TurnActions, TurnTokens } from './turnRow.js';
import { turnRowNode } from './turnRow.js';
import { RowOffsets } from './rowOffsets.js';
import { cumulativeTokens } from './turnItems.js';
import { ROW_HEIGHT, TurnPages } from './turnPages.js';
import type { RpcClient } from './rpcClient.js';
import type { TurnPage as Page } from '../../protocol/turns.js';

/** Rows drawn beyond the screen. */
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
  /** The rows loaded, and their answers. */
  private readonly pages: TurnPages;
  private readonly nodes = new Map<Row, HTMLElement>();
  private readonly layout = new RowOffsets(() => this.pages.rows);
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
    rpc: RpcClient,
    private readonly els: TurnListElements,
    private readonly onFocusTurn: (turnId: string) => void,
    private readonly actions: TurnActions,
  ) {
    this.pages = new TurnPages(rpc, {
      setStatus: (text) => this.setStatus(text),
      rowsChanged: () => this.layout.stale(),
      olderPage: (prepend) => this.olderPage(prepend),
      invalidate: (row) => this.invalidate(row),
      queueDraw: () => this.queueDraw(),
    });
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
    this.pages.reset(threadId);
    for (const node of this.nodes.values()) this.dropNode(node);
    this.nodes.clear();
    this.layout.stale();
    this.focusIndex = -1;
    this.usage = null;
    this.cumulative = null;
  }

  /** Show a thread: its newest page first, scrolled to the end. A page that cannot be read is said in the status line. */
  async open(threadId: string): Promise<void> {
    this.reset(threadId);
    const generation = this.pages.generation;
    this.setStatus('loading turns…');
    let page: Page;
    try {
      page = await this.pages.request(threadId, undefined, 'notLoaded');
    } catch (err) {
      if (generation === this.pages.generation)
        this.setStatus(`turns failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (generation !== this.pages.generation) return;
    this.pages.prepend(page, undefined);
    this.focusIndex = this.pages.rows.length - 1;
    this.sizeSpace();
    this.atEnd = true;
    this.pinToEnd();
    this.draw();
    this.setStatus(this.pages.rows.length === 0 ? 'no turns' : '');
    // Follow the thread: turns a running Codex (or rollout/append) adds appear as they land.
    await this.pages.subscribe(threadId);
  }

  /** Show each turn's tokens as a bar (and the running total once the first turn is loaded); null hides them. */
  showTokens(usage: ReadonlyMap<string, TurnTokens> | null): void {
    this.usage = usage;
    this.recount();
    for (const row of [...this.nodes.keys()]) this.invalidate(row);
    this.draw();
  }

  private recount(): void {
    this.cumulative =
      this.usage === null || this.pages.olderCursor !== null ? null : cumulativeTokens(this.pages.rows, this.usage);
  }

  /** How many turn rows are in the DOM now (the bound the test checks). */
  get drawnRows(): number {
    return this.nodes.size;
  }

  /** Load older pages until `turnId` is loaded (or the start is), then expand it and move focus there. */
  async jumpTo(turnId: string): Promise<boolean> {
    const generation = this.pages.generation;
    while (!this.pages.byId.has(turnId) && this.pages.olderCursor !== null) {
      this.setStatus('looking for the turn…');
      await this.pages.loadOlder();
      if (generation !== this.pages.generation) return false;
    }
    this.setStatus('');
    const row = this.pages.byId.get(turnId);
    if (row === undefined) return false;
    const index = this.pages.rows.indexOf(row);
    if (!row.expanded) await this.toggle(index);
    // Another thread opened while the turn's items loaded: the jump is over (its index is not a row there).
    if (generation !== this.pages.generation) return false;
    this.moveFocus(index, 'top');
    return true;
  }

  /** Load every older page, then show the first turn. */
  async goToStart(): Promise<void> {
    const generation = this.pages.generation;
    while (this.pages.olderCursor !== null) {
      this.setStatus(`loading older turns… (${this.pages.rows.length} so far)`);
      await this.pages.loadOlder();
      if (generation !== this.pages.generation) return;
    }
    this.setStatus('');
    this.moveFocus(0, 'top');
  }

  private setStatus(text: string): void {
    this.els.status.textContent = text;
  }

  /** An older page came: its rows go above, and what is on screen stays where it was. */
  private olderPage(prepend: () => number): void {
    const before = this.layout.total();
    const added = prepend();
    // Keep what is on screen where it was: the rows above it grew.
    this.sizeSpace();
    this.els.scroller.scrollTop += this.layout.total() - before;
    this.focusIndex += added;
    if (this.usage !== null && this.pages.olderCursor === null) {
      this.recount();
      for (const row of [...this.nodes.keys()]) this.invalidate(row);
    }
    this.draw();
  }

  private async toggle(index: number): Promise<void> {
    const row = this.pages.rows[index];
    if (row === undefined) return;
    const generation = this.pages.generation;
    row.expanded = !row.expanded;
    if (row.expanded && row.full === null) {
      this.setStatus('loading items…');
      try {
        if (this.pages.threadId !== null) row.full = await this.pages.items(this.pages.threadId, row);
      } catch (err) {
        row.expanded = false;
        this.setStatus(`items failed: ${String(err)}`);
        return;
      }
      if (generation !== this.pages.generation) return;
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
    return this.layout.total() + this.layout.endPad(this.els.scroller.clientHeight);
  }

  private sizeSpace(): void {
    this.els.space.style.height = `${this.spaceHeight()}px`;
  }

  /** Put the rows on screen into the DOM (and take the others out), then ask for what they lack. */
  private draw(): void {
    const { scroller, space } = this.els;
    this.sizeSpace();
    if (this.pages.rows.length === 0) return;
    // Rows measured since (their heights, the room after them): the end stays in view if it was.
    if (this.atEnd) this.pinToEnd();
    const top = scroller.scrollTop;
    const first = Math.max(0, this.layout.rowAt(top) - OVERSCAN);
    const last = Math.min(this.pages.rows.length - 1, this.layout.rowAt(top + scroller.clientHeight) + OVERSCAN);
    const hadFocus = scroller.contains(document.activeElement) && document.activeElement !== scroller;
    const keep = new Set<Row>();
    let measuredChange = false;
    for (let i = first; i <= last; i++) {
      const row = this.pages.rows[i]!;
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
    const setSize = this.pages.olderCursor === null ? String(this.pages.rows.length) : '-1';
    for (const node of this.nodes.values()) node.setAttribute('aria-setsize', setSize);
    if (hadFocus) this.nodes.get(this.pages.rows[this.focusIndex]!)?.focus({ preventScroll: true });
    // The focused row scrolled away (its node taken out, the focus with it): the list keeps the keyboard.
    if (hadFocus && !scroller.contains(document.activeElement)) scroller.focus({ preventScroll: true });
    if (measuredChange) this.queueDraw();
    for (let i = first; i <= last; i++) {
      const page = this.pages.rows[i]!.page;
      if (page !== null && page.summary === 'none' && this.pages.rows[i]!.turn.itemsView === 'notLoaded')
        this.pages.loadSummaries(page);
    }
    if (this.pages.olderCursor !== null && top < LOAD_AHEAD_PX) void this.pages.loadOlder();
  }

  private rowNode(row: Row): HTMLElement {
    return turnRowNode(row, {
      actions: this.actions,
      loadOutput: (r, id) => this.pages.loadOutput(r, id),
      onClick: (r) => {
        const index = this.pages.rows.indexOf(r);
        this.focusIndex = index;
        void this.toggle(index).then(() => this.moveFocus(this.pages.rows.indexOf(r), 'nearest'));
      },
      usage: this.usage,
      cumulative: this.cumulative,
    });
  }

  /** Bring row `index` on screen and give it the keyboard focus. */
  private moveFocus(index: number, align: 'top' | 'nearest'): void {
    const row = this.pages.rows[index];
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
    if ((e.target as HTMLElement).closest('.items') !== null || this.pages.rows.length === 0) return;
    const at = this.focusIndex < 0 ? this.pages.rows.length - 1 : this.focusIndex;
    const page = Math.max(1, Math.floor(this.els.scroller.clientHeight / ROW_HEIGHT));
    const to: Record<string, () => void> = {
      ArrowDown: () => this.moveFocus(Math.min(this.pages.rows.length - 1, at + 1), 'nearest'),
      ArrowUp: () => this.moveFocus(Math.max(0, at - 1), 'nearest'),
      PageDown: () => this.moveFocus(Math.min(this.pages.rows.length - 1, at + page), 'nearest'),
      PageUp: () => this.moveFocus(Math.max(0, at - page), 'nearest'),
      Home: () => void this.goToStart(),
      End: () => this.moveFocus(this.pages.rows.length - 1, 'nearest'),
      Enter: () => void this.toggle(at).then(() => this.moveFocus(at, 'nearest')),
      ' ': () => void this.toggle(at).then(() => this.moveFocus(at, 'nearest')),
    };
    const action = to[e.key];
    if (action === undefined) return;
    e.preventDefault();
    action();
  }

  private onNotification(method: string, params: unknown): void {
    if (!this.pages.follows(params)) return;
    const { scroller } = this.els;
    const atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 4;
    if (!this.pages.applyLive(method, params)) return;
    this.sizeSpace();
    if (atBottom) this.pinToEnd();
    this.draw();
  }
}
