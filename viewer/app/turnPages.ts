/**
 * A thread's turns as the list has them loaded (turnList.ts draws them): the rows, oldest first,
 * and what they are asked from the server with: `notLoaded` pages, newest first, older ones on
 * demand; a page's summaries and item kinds; a turn's items on expand; the live turns and items
 * of the thread followed. Answers for a thread left meanwhile are dropped.
 */
import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';
import type { Row, TurnPage } from './turnRow.js';
import { deferredItem, turnItems } from './turnItems.js';
import type { RpcClient } from './rpcClient.js';
import type { TurnPage as Page } from '../../protocol/turns.js';

/** Turns per request (the server's bound); a collapsed turn's least height (CSS `.turn`), its height until drawn. */
export const PAGE = 100;
export const ROW_HEIGHT = 96;

/** What the pages ask of the list that draws them. */
export interface TurnPagesView {
  setStatus(text: string): void;
  /** Rows were added: their tops are to be measured again. */
  rowsChanged(): void;
  /** An older page came: `prepend` puts its rows above the others and says how many. */
  olderPage(prepend: () => number): void;
  /** A drawn row's turn or items changed. */
  invalidate(row: Row): void;
  queueDraw(): void;
}

const newRow = (turn: Turn, page: TurnPage | null): Row => ({
  turn,
  page,
  expanded: false,
  full: null,
  kinds: null,
  failed: {},
  height: ROW_HEIGHT,
});

export class TurnPages {
  threadId: string | null = null;
  /** Answers for an earlier thread are dropped. */
  generation = 0;
  rows: Row[] = [];
  readonly byId = new Map<string, Row>();
  /** The cursor to the next older page; null once the first turn is loaded. */
  olderCursor: string | null = null;
  private loadingOlder: Promise<void> | null = null;

  constructor(
    private readonly rpc: RpcClient,
    private readonly view: TurnPagesView,
  ) {}

  /** Leave the thread loaded for `threadId` (null: none): its rows gone, its answers dropped from now on. */
  reset(threadId: string | null): void {
    if (this.threadId !== null && this.threadId !== threadId)
      void this.rpc.typed.request('thread/unsubscribe', { threadId: this.threadId }).catch(() => undefined);
    this.generation += 1;
    this.threadId = threadId;
    this.rows = [];
    this.byId.clear();
    this.olderCursor = null;
    this.loadingOlder = null;
  }

  /** A page of the thread's turns, newest first, from `cursor` (undefined: the newest). */
  request(threadId: string, cursor: string | undefined, itemsView: 'notLoaded' | 'summary'): Promise<Page> {
    return this.rpc.typed.request('thread/turns/list', {
      threadId,
      ...(cursor === undefined ? {} : { cursor }),
      limit: PAGE,
      sortDirection: 'desc',
      itemsView,
    });
  }

  /** Follow the thread: turns a running Codex (or rollout/append) adds come as notifications. */
  subscribe(threadId: string): Promise<unknown> {
    return this.rpc.typed.request('rolloutEngine/thread/subscribe', { threadId }).catch(() => undefined);
  }

  /** Put a page's turns above the rows loaded; how many were new. */
  prepend(page: Page, cursor: string | undefined): number {
    const turnPage: TurnPage = { cursor, summary: 'none' };
    const older: Row[] = [];
    for (const turn of page.data) {
      if (this.byId.has(turn.id)) continue;
      const row = newRow(turn, turnPage);
      this.byId.set(turn.id, row);
      older.push(row);
    }
    older.reverse();
    this.rows = [...older, ...this.rows];
    this.olderCursor = page.nextCursor;
    this.view.rowsChanged();
    return older.length;
  }

  loadOlder(): Promise<void> {
    if (this.loadingOlder !== null) return this.loadingOlder;
    const cursor = this.olderCursor;
    const threadId = this.threadId;
    if (cursor === null || threadId === null) return Promise.resolve();
    const generation = this.generation;
    this.loadingOlder = this.request(threadId, cursor, 'notLoaded')
      .then((page) => {
        if (generation !== this.generation) return;
        this.view.olderPage(() => this.prepend(page, cursor));
      })
      // A dropped connection (the page reconnects and reads the thread again) is said, never an unhandled rejection.
      .catch((err: unknown) => {
        if (generation === this.generation)
          this.view.setStatus(`older turns failed: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => {
        if (generation === this.generation) this.loadingOlder = null;
      });
    return this.loadingOlder;
  }

  /** A page's summaries (Codex's: first user and last agent message), then what its turns hold by kind, for the badges a summary cannot give. */
  loadSummaries(page: TurnPage): void {
    const threadId = this.threadId;
    if (threadId === null) return;
    page.summary = 'loading';
    const generation = this.generation;
    void this.request(threadId, page.cursor, 'summary')
      .then(async (answer) => {
        if (generation !== this.generation) return;
        page.summary = 'done';
        for (const turn of answer.data) {
          const row = this.byId.get(turn.id);
          if (row === undefined || row.turn.itemsView !== 'notLoaded') continue;
          row.turn = turn;
          this.view.invalidate(row);
        }
        this.view.queueDraw();
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
          this.view.invalidate(row);
        }
        this.view.queueDraw();
      })
      .catch((err: unknown) => {
        page.summary = 'none';
        this.view.setStatus(`summaries failed: ${String(err)}`);
      });
  }

  /** A turn's items, for its expanded row. */
  items(threadId: string, row: Row): Promise<ThreadItem[]> {
    return turnItems(this.rpc, threadId, row.turn.id, PAGE);
  }

  /** A command's output, deferred when the turn was expanded. */
  loadOutput(row: Row, itemId: string): Promise<ThreadItem | null> {
    return this.threadId === null
      ? Promise.resolve(null)
      : deferredItem(this.rpc, this.threadId, row.turn.id, row.full ?? [], itemId);
  }

  /** Whether a notification is of the thread loaded. */
  follows(params: unknown): boolean {
    return this.threadId !== null && (params as { threadId?: string }).threadId === this.threadId;
  }

  /** A live turn or item of the thread followed, into its row; false if it changed none. */
  applyLive(method: string, params: unknown): boolean {
    const p = params as { threadId?: string; turn?: Turn; turnId?: string; item?: ThreadItem };
    if (method === 'turn/started' && p.turn !== undefined && !this.byId.has(p.turn.id)) {
      const row = newRow({ ...p.turn, items: [], itemsView: 'summary' }, null);
      this.byId.set(p.turn.id, row);
      this.rows.push(row);
      this.view.rowsChanged();
    } else if (method === 'item/completed' && p.turnId !== undefined && p.item !== undefined) {
      const row = this.byId.get(p.turnId);
      if (row === undefined) return false;
      if (row.turn.itemsView !== 'notLoaded') row.turn = { ...row.turn, items: [...row.turn.items, p.item] };
      if (row.full !== null) row.full = [...row.full, p.item];
      if (row.kinds !== null) row.kinds = { ...row.kinds, [p.item.type]: (row.kinds[p.item.type] ?? 0) + 1 };
      if ('status' in p.item && p.item.status === 'failed')
        row.failed = { ...row.failed, [p.item.type]: (row.failed[p.item.type] ?? 0) + 1 };
      this.view.invalidate(row);
    } else if (method === 'turn/completed' && p.turn !== undefined) {
      const row = this.byId.get(p.turn.id);
      if (row === undefined) return false;
      const { status, error, completedAt, durationMs } = p.turn;
      row.turn = { ...row.turn, status, error, completedAt, durationMs };
      this.view.invalidate(row);
    } else return false;
    return true;
  }
}
