import type { Thread } from '../../domain/thread/thread.js';
import { element, formatTime, highlighted } from './dom.js';
import type { RpcClient } from './rpcClient.js';

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

  /** Mark the open thread in the list. */
  select(threadId: string): void {
    this.current = threadId;
    for (const b of this.els.list.querySelectorAll<HTMLElement>('[data-thread-id]')) b.setAttribute('aria-current', String(b.dataset['threadId'] === threadId));
  }

  async reload(): Promise<void> {
    this.generation += 1;
    this.cursor = null;
    this.els.list.replaceChildren();
    this.loading = false;
    await this.loadMore(true);
  }

  private params(): Record<string, unknown> {
    const cwd = this.els.cwd.value.trim();
    const provider = this.els.provider.value.trim();
    const sources = this.els.source.value;
    return {
      ...(sources === '' ? {} : { sourceKinds: sources.split(',') }),
      ...(provider === '' || this.els.search.value.trim() !== '' ? {} : { modelProviders: [provider] }),
      limit: PAGE,
      sortKey: this.els.sort.value,
      archived: this.els.archived.checked,
      ...(cwd === '' || this.els.search.value.trim() !== '' ? {} : { cwd }),
      ...(this.cursor === null ? {} : { cursor: this.cursor }),
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
          ? await this.rpc.request<Listing<Thread>>('thread/list', this.params()).then((l) => this.take(l, generation).map((thread) => ({ thread })))
          : this.take(await this.rpc.request<Listing<SearchHit>>('thread/search', { ...this.params(), searchTerm: term }), generation);
      if (generation !== this.generation) return;
      for (const hit of hits) this.els.list.append(this.entry(hit, term));
      const count = this.els.list.childElementCount;
      this.els.status.textContent = `${count}${this.cursor === null ? '' : '+'} thread${count === 1 ? '' : 's'}${term === '' ? '' : ` with “${term}”`}`;
      if (this.current !== null) this.select(this.current);
    } catch (err) {
      if (generation === this.generation) this.els.status.textContent = `failed: ${String(err)}`;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
    // The sentinel may still be on screen (a short page): keep filling.
    if (generation === this.generation && this.cursor !== null && this.els.more.getBoundingClientRect().top < window.innerHeight) void this.loadMore();
  }

  private take<T>(listing: Listing<T>, generation: number): T[] {
    if (generation === this.generation) this.cursor = listing.nextCursor;
    return listing.data;
  }

  private entry(hit: SearchHit, term: string): HTMLElement {
    const t = hit.thread;
    const title = t.name ?? (t.preview === '' ? t.id : t.preview);
    const button = element(
      'button',
      { type: 'button', class: 'thread-entry', 'data-thread-id': t.id },
      element('span', { class: 'thread-title' }, title.slice(0, 200)),
      element('span', { class: 'meta' }, [formatTime(t.createdAt), t.model ?? t.modelProvider ?? '', t.cwd].filter((s) => s !== '').join(' · ')),
      hit.snippet === undefined || hit.snippet === null ? null : element('span', { class: 'snippet' }, highlighted(hit.snippet, term)),
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
