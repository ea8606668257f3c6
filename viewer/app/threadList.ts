import type { Thread } from '../../domain/thread/thread.js';
import { cwdNode, element, formatTime, highlighted } from './dom.js';
import type { RpcClient } from './rpcClient.js';
import type { SourceKind } from '../../protocol/threads.js';
import type { ParamsOf } from '../../protocol/methods.js';

interface Listing<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}

/** One `thread/search` hit: the thread and a snippet around the first match. */
interface SearchHit {
  readonly thread: Thread;
  readonly snippet?: string | null;
}

export interface ThreadListElements {
  readonly search: HTMLInputElement;
  readonly sort: HTMLSelectElement;
  readonly archived: HTMLInputElement;
  readonly cwd: HTMLInputElement;
  readonly source: HTMLSelectElement;
  readonly provider: HTMLInputElement;
  readonly list: HTMLElement;
  readonly more: HTMLElement;
  readonly status: HTMLElement;
}

const PAGE = 50;

type ListParams = NonNullable<ParamsOf<'thread/list'>>;

/**
 * The threads of the home: `thread/list` (or, with a search term, `thread/search` with its
 * snippets highlighted) under the filters, a page at a time as the end of the list scrolls
 * into view (the answers' `nextCursor`).
 */
export class ThreadList {
  private cursor: string | null = null;
  private loading = false;
  private generation = 0;
  private current: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly rpc: RpcClient,
    private readonly els: ThreadListElements,
    private readonly onOpen: (threadId: string) => void,
  ) {
    const changed = (): void => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload(), 200);
    };
    els.search.addEventListener('input', changed);
    els.cwd.addEventListener('input', changed);
    els.provider.addEventListener('input', changed);
    els.source.addEventListener('change', changed);
    els.sort.addEventListener('change', changed);
    els.archived.addEventListener('change', changed);
    els.search.form?.addEventListener('submit', (e) => {
      e.preventDefault();
      clearTimeout(this.timer);
      void this.reload();
    });
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void this.loadMore();
    }).observe(els.more);
    els.list.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** Mark the open thread in the list (null: none is open). */
  select(threadId: string | null): void {
    this.current = threadId;
    for (const b of this.els.list.querySelectorAll<HTMLElement>('[data-thread-id]'))
      b.setAttribute('aria-current', String(b.dataset['threadId'] === threadId));
  }

  async reload(): Promise<void> {
    this.generation += 1;
    this.cursor = null;
    this.els.list.replaceChildren();
    this.loading = false;
    await this.loadMore(true);
  }

  /** What both `thread/list` and `thread/search` take from the filters (the select's values are the protocol's words). */
  private shared(): {
    sourceKinds?: SourceKind[];
    limit: number;
    sortKey: ListParams['sortKey'];
    archived: boolean;
    cursor?: string;
  } {
    const sources = this.els.source.value;
    return {
      ...(sources === '' ? {} : { sourceKinds: sources.split(',') as SourceKind[] }),
      limit: PAGE,
      sortKey: this.els.sort.value as ListParams['sortKey'],
      archived: this.els.archived.checked,
      ...(this.cursor === null ? {} : { cursor: this.cursor }),
    };
  }

  /** `thread/list`'s params: the shared filters, a working directory and a model provider (`thread/search` takes neither). */
  private listParams(): ParamsOf<'thread/list'> {
    const cwd = this.els.cwd.value.trim();
    const provider = this.els.provider.value.trim();
    return {
      ...this.shared(),
      ...(provider === '' ? {} : { modelProviders: [provider] }),
      ...(cwd === '' ? {} : { cwd }),
    };
  }

  private async loadMore(first = false): Promise<void> {
    if (this.loading || (!first && this.cursor === null)) return;
    this.loading = true;
    const generation = this.generation;
    const term = this.els.search.value.trim();
    this.els.status.textContent = term === '' ? 'loading threads…' : `searching for “${term}”…`;
    try {
      const hits: SearchHit[] =
        term === ''
          ? this.take(await this.rpc.typed.request('thread/list', this.listParams()), generation).map((thread) => ({
              thread,
            }))
          : this.take(
              await this.rpc.typed.request('thread/search', { ...this.shared(), searchTerm: term }),
              generation,
            );
      if (generation !== this.generation) return;
      const entries = hits.map((hit) => this.entry(hit, term));
      this.els.list.append(...entries);
      // The marks are a decoration of the page: a dropped connection leaves them out (the list is read again on reconnect).
      void this.markForks(entries, generation).catch(() => undefined);
      const count = this.els.list.childElementCount;
      this.els.status.textContent = `${count}${this.cursor === null ? '' : '+'} thread${count === 1 ? '' : 's'}${term === '' ? '' : ` with “${term}”`}`;
      if (this.current !== null) this.select(this.current);
    } catch (err) {
      if (generation === this.generation) this.els.status.textContent = `failed: ${String(err)}`;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
    // The sentinel may still be on screen (a short page): keep filling. Not while the list is hidden (a phone showing the thread): it has no box then.
    const more = this.els.more.getBoundingClientRect();
    if (generation === this.generation && this.cursor !== null && more.height > 0 && more.top < window.innerHeight)
      void this.loadMore();
  }

  private take<T>(listing: Listing<T>, generation: number): T[] {
    if (generation === this.generation) this.cursor = listing.nextCursor;
    return listing.data;
  }

  /**
   * Marks the forks among new entries: the list's rows (as Codex's) carry no `forkedFromId`, so the
   * index is asked for the page's (`rolloutEngine/threads/forkedFrom`). A fork's mark names its
   * source (its title when the source is listed too) when pointed at.
   */
  private async markForks(entries: ReadonlyArray<HTMLElement>, generation: number): Promise<void> {
    const ids = entries
      .map((li) => li.querySelector<HTMLElement>('[data-thread-id]')?.dataset['threadId'] ?? '')
      .filter((id) => id !== '');
    if (ids.length === 0) return;
    const { forkedFrom } = await this.rpc.typed.request('rolloutEngine/threads/forkedFrom', { threadIds: ids });
    if (generation !== this.generation) return;
    for (const li of entries) {
      const button = li.querySelector<HTMLElement>('[data-thread-id]');
      const source = forkedFrom[button?.dataset['threadId'] ?? ''];
      if (button === null || source === undefined) continue;
      const sourceTitle =
        this.els.list.querySelector<HTMLElement>(`[data-thread-id="${source}"]`)?.dataset['title'] ?? source;
      button.dataset['forkedFrom'] = source;
      button
        .querySelector('.thread-title')
        ?.prepend(
          element('span', { class: 'mark fork-mark', title: `forked from ${sourceTitle.slice(0, 120)}` }, 'fork'),
          ' ',
        );
    }
  }

  private entry(hit: SearchHit, term: string): HTMLElement {
    const t = hit.thread;
    const title = t.name ?? (t.preview === '' ? t.id : t.preview);
    const button = element(
      'button',
      { type: 'button', class: 'thread-entry', 'data-thread-id': t.id, 'data-title': title.slice(0, 200) },
      element('span', { class: 'thread-title' }, title.slice(0, 200)),
      element(
        'span',
        { class: 'meta' },
        [formatTime(t.createdAt), t.model ?? t.modelProvider ?? ''].filter((s) => s !== '').join(' · '),
      ),
      // A line of its own: the whole width for the folders that tell this thread from the next.
      t.cwd === '' ? null : cwdNode(t.cwd),
      hit.snippet === undefined || hit.snippet === null
        ? null
        : element('span', { class: 'snippet' }, highlighted(hit.snippet, term)),
    );
    button.addEventListener('click', () => this.onOpen(t.id));
    return element('li', {}, button);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const buttons = [...this.els.list.querySelectorAll<HTMLButtonElement>('button.thread-entry')];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[e.key === 'ArrowDown' ? at + 1 : Math.max(0, at - 1)];
    if (next === undefined) return;
    e.preventDefault();
    next.focus();
  }
}
