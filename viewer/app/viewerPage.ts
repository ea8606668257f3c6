import type { Thread } from '../../domain/thread/thread.js';
import { element } from './dom.js';
import { exportThread } from './exportThread.js';
import type { TokenUsageAnswer } from './tokenUsage.js';
import { tokenChartsNode, tokenUsageNode } from './tokenUsage.js';
import type { RpcClient } from './rpcClient.js';
import { ThreadList } from './threadList.js';
import { treeNode } from './threadTree.js';
import { TurnList } from './turnList.js';
import { byId, route, setRoute } from './route.js';
import { metaParts, missingThread } from './threadHeader.js';
import { wireFilters } from './threadFilters.js';
import { occurrenceItems } from './occurrenceList.js';
import { turnTokensByTurn } from './turnTokenBars.js';

/**
 * The viewer's page once connected (main.ts `start`): the thread list, the open thread (its turns,
 * facts, tokens, tree, find, name) and the home's charts, each wired by a method of its own.
 */

export class ViewerPage {
  private readonly app = byId('app');
  private openThread: string | null = null;
  /** The open thread's name (null: none, its title is its preview). */
  private openName: string | null = null;
  private readonly turnStatus = byId('turn-status');
  private readonly notice = byId('mutation-notice');
  private readonly turns: TurnList;
  private readonly threads: ThreadList;
  private readonly occurrenceForm = byId<HTMLFormElement>('occurrence-form');
  private readonly occurrenceSearch = byId<HTMLInputElement>('occurrence-search');
  private readonly occurrenceList = byId('occurrence-list');
  /** The find term each thread was last searched with. */
  private readonly findTerms = new Map<string, string>();
  private readonly treeToggle = byId<HTMLButtonElement>('tree-toggle');
  private readonly tree = byId('thread-tree');
  private readonly renameToggle = byId<HTMLButtonElement>('rename-toggle');
  private readonly renameForm = byId<HTMLFormElement>('rename-form');
  private readonly renameInput = byId<HTMLInputElement>('rename-input');
  private readonly chartsToggle = byId<HTMLButtonElement>('charts-toggle');
  private readonly charts = byId('token-charts');
  private readonly tokensToggle = byId<HTMLInputElement>('tokens-toggle');

  constructor(
    private readonly rpc: RpcClient,
    status: HTMLElement,
    /** On a phone the list or the thread onto the screen (main.ts). */
    private readonly show: (view: 'list' | 'thread') => void,
  ) {
    this.turns = new TurnList(
      rpc,
      { scroller: byId('turn-scroller'), space: byId('turn-space'), status: this.turnStatus },
      (turnId) => {
        if (this.openThread !== null) setRoute(this.openThread, turnId);
      },
      { fork: (turnId) => this.fork(turnId), revert: (turnId) => this.revert(turnId) },
    );
    wireFilters();
    this.wireTree();
    this.wireRename();
    this.wireExports();
    this.wireFind();
    this.wireTokens();
    this.threads = new ThreadList(
      rpc,
      {
        search: byId('thread-search'),
        sort: byId('thread-sort'),
        archived: byId('thread-archived'),
        cwd: byId('thread-cwd'),
        source: byId('thread-source'),
        provider: byId('thread-provider'),
        list: byId('thread-list'),
        more: byId('thread-more'),
        status,
      },
      (threadId) => void this.open(threadId, null),
    );
    this.wireConnection();
  }

  /** Shows the thread the URL names (or the list), and follows the URL from now on. */
  async begin(): Promise<void> {
    // Heard from the start: back and forward work while the first thread (a deep link's turn) still loads.
    window.addEventListener('hashchange', () => {
      const r = route();
      if (r.thread !== null && r.thread !== this.openThread)
        void this.open(r.thread, r.turn).catch(this.failed('open'));
    });
    const first = route();
    this.show(first.thread === null ? 'list' : 'thread');
    await Promise.all([
      this.threads.reload(),
      first.thread === null ? Promise.resolve() : this.open(first.thread, first.turn).catch(this.failed('open')),
    ]);
  }

  /** Says what a mutation wrote and where (with its follow-up actions), until the next thread is opened or the next mutation. */
  private readonly tell = (text: string, ...actions: Array<{ label: string; run: () => void }>): void => {
    this.notice.replaceChildren(
      element('span', {}, text),
      ...actions.map((a) => {
        const b = element('button', { type: 'button' }, a.label);
        b.addEventListener('click', a.run);
        return b;
      }),
    );
    this.notice.hidden = false;
  };

  private readonly failed = (what: string) => (err: unknown) =>
    void (this.turnStatus.textContent = `${what} failed: ${err instanceof Error ? err.message : String(err)}`);

  private fork(turnId: string): void {
    const threadId = this.openThread;
    if (threadId === null) return;
    // A fork is named after its source until renamed, so it is told apart in every list.
    const name = `Fork of ${byId('thread-title').textContent ?? threadId}`;
    if (!window.confirm(`Fork this thread after this turn? A new thread is written, named "${name}".`)) return;
    void (async () => {
      const { thread } = await this.rpc.typed.request('thread/fork', {
        threadId,
        lastTurnId: turnId,
        excludeTurns: true,
      });
      await this.rpc.typed.request('thread/name/set', { threadId: thread.id, name });
      await Promise.all([this.threads.reload(), this.open(thread.id, null)]);
      this.tell(
        `Forked after turn ${turnId}: a new thread, “${name}” (${thread.id}), written to ${thread.path}. The source is unchanged.`,
        {
          label: 'Open the source',
          run: () => void this.open(threadId, turnId),
        },
      );
    })().catch(this.failed('fork'));
  }

  private revert(turnId: string): void {
    const threadId = this.openThread;
    if (
      threadId === null ||
      !window.confirm(
        'Revert this thread to before this turn? A revision of its history is written; the rollout keeps the old one.',
      )
    )
      return;
    void (async () => {
      const { thread } = await this.rpc.typed.request('thread/revert', { threadId, beforeTurnId: turnId });
      await this.open(threadId, null);
      this.tell(
        `Reverted to before turn ${turnId}: a revision of the history was written to ${thread.path}; the earlier file keeps the turns it left out.`,
      );
    })().catch(this.failed('revert'));
  }

  /**
   * The home's charts take the thread's pane (its width, not the list's 340 px), in place of the
   * thread shown, which comes back as it was when they are closed; opening a thread closes them.
   */
  private showCharts(shown: boolean): void {
    this.charts.hidden = !shown;
    this.chartsToggle.setAttribute('aria-expanded', String(shown));
    this.app.dataset['main'] = shown ? 'charts' : 'thread';
  }

  private async showTree(threadId: string): Promise<void> {
    const answer = await this.rpc.typed.request('rolloutEngine/thread/tree', { threadId });
    if (this.openThread === threadId) this.tree.replaceChildren(treeNode(answer, (id) => void this.open(id, null)));
  }

  /** A tree's failure is said while its thread is open with the tree shown: a thread not found says so itself, and hides the tree. */
  private treeFailed =
    (threadId: string) =>
    (err: unknown): void => {
      if (this.openThread === threadId && !this.tree.hidden) this.failed('fork tree')(err);
    };

  private wireTree(): void {
    this.treeToggle.addEventListener('click', () => {
      const opening = this.tree.hidden;
      this.tree.hidden = !opening;
      this.treeToggle.setAttribute('aria-expanded', String(opening));
      if (opening && this.openThread !== null)
        void this.showTree(this.openThread).catch(this.treeFailed(this.openThread));
    });
  }

  /** Names the thread; the notice says what was written, and offers the name it had back. */
  private async rename(threadId: string, name: string, before: string | null): Promise<void> {
    await this.rpc.typed.request('thread/name/set', { threadId, name });
    if (this.openThread === threadId) {
      this.openName = name.trim();
      byId('thread-title').textContent = this.openName;
    }
    await this.threads.reload();
    const where = 'appended to session_index.jsonl in the home, where Codex keeps names';
    if (before === null) this.tell(`Named “${name.trim()}” (${where}).`);
    else
      this.tell(`Renamed “${before}” → “${name.trim()}” (${where}).`, {
        label: 'Undo',
        run: () =>
          void this.rename(threadId, before, null).then(
            () => this.tell(`Name restored: “${before}”.`),
            this.failed('undo'),
          ),
      });
  }

  private wireRename(): void {
    const { renameForm, renameToggle, renameInput } = this;
    renameToggle.addEventListener('click', () => {
      renameForm.hidden = !renameForm.hidden;
      renameToggle.setAttribute('aria-expanded', String(!renameForm.hidden));
      if (!renameForm.hidden) {
        renameInput.value = byId('thread-title').textContent ?? '';
        renameInput.focus();
      }
    });
    renameForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const threadId = this.openThread;
      if (threadId === null) return;
      const before = this.openName;
      const name = renameInput.value.trim();
      if (name === before) return;
      // A name can be changed but never taken away again (Codex refuses a blank one): a first name is asked for.
      if (before === null && !window.confirm(`Name this thread “${name}”? A name can be changed later, not removed.`))
        return;
      renameForm.hidden = true;
      renameToggle.setAttribute('aria-expanded', 'false');
      void this.rename(threadId, name, before).catch(this.failed('rename'));
    });
  }

  private wireExports(): void {
    for (const [id, format] of [
      ['export-markdown', 'markdown'],
      ['export-html', 'html'],
    ] as const)
      byId(id).addEventListener('click', () => {
        const threadId = this.openThread;
        if (threadId === null) return;
        void exportThread(
          this.rpc,
          threadId,
          format,
          (n) => void (this.turnStatus.textContent = `exporting… ${n} turns`),
        )
          .then(() => void (this.turnStatus.textContent = ''))
          .catch(this.failed('export'));
      });
  }

  /**
   * No thread to show for `threadId` (a link to one this home does not hold): nothing of the thread
   * shown before stays — its turns, facts, tokens, actions, tree, find — and the page says so.
   */
  private showMissing(threadId: string, err: unknown): void {
    this.openThread = null;
    this.openName = null;
    this.turns.close();
    this.threads.select(null);
    this.notice.hidden = true;
    byId('thread-actions').hidden = true;
    this.renameForm.hidden = true;
    this.renameToggle.setAttribute('aria-expanded', 'false');
    this.tree.hidden = true;
    this.tree.replaceChildren();
    this.treeToggle.setAttribute('aria-expanded', 'false');
    this.occurrenceForm.hidden = true;
    this.occurrenceList.replaceChildren();
    byId('thread-tokens').replaceChildren();
    const { missing, title, note } = missingThread(threadId, err);
    byId('thread-title').textContent = title;
    // The way to the list, which a narrow screen does not show beside the thread.
    const toList = element('button', { type: 'button', class: 'to-list' }, 'Show the thread list');
    toList.addEventListener('click', () => {
      this.show('list');
      byId('thread-list').querySelector<HTMLElement>('button.thread-entry')?.focus();
    });
    byId('thread-meta').replaceChildren(element('span', { class: 'missing-note' }, note), ...(missing ? [toList] : []));
    this.turnStatus.textContent = '';
  }

  /** Open a thread (on a phone, onto the screen, unless `reveal` is false: read again where the reader was). */
  readonly open = async (threadId: string, turnId: string | null, reveal = true): Promise<void> => {
    this.openThread = threadId;
    this.openName = null;
    this.showCharts(false);
    if (reveal) this.show('thread');
    this.notice.hidden = true;
    this.threads.select(threadId);
    setRoute(threadId, turnId);
    this.occurrenceForm.hidden = false;
    byId('thread-actions').hidden = false;
    this.renameForm.hidden = true;
    this.renameToggle.setAttribute('aria-expanded', 'false');
    if (!this.tree.hidden) void this.showTree(threadId).catch(this.treeFailed(threadId));
    this.occurrenceList.replaceChildren();
    // Find is per thread: each thread gets back its own term, never the last thread's.
    this.occurrenceSearch.value = this.findTerms.get(threadId) ?? '';
    byId('thread-title').textContent = 'loading…';
    byId('thread-meta').replaceChildren();
    byId('thread-tokens').replaceChildren();
    const read = this.rpc.typed.request('thread/read', { threadId, includeTurns: false });
    const listed = this.turns.open(threadId);
    let thread: Thread;
    try {
      ({ thread } = await read);
    } catch (err) {
      if (this.openThread === threadId) this.showMissing(threadId, err);
      return;
    }
    if (this.openThread !== threadId) return;
    this.openName = thread.name ?? null;
    byId('thread-title').textContent = thread.name ?? (thread.preview === '' ? thread.id : thread.preview);
    byId('thread-meta').replaceChildren(...metaParts(thread));
    void this.rpc.typed
      .request('thread/tokenUsage/read', { threadId })
      .then((u) => this.openThread === threadId && byId('thread-tokens').replaceChildren(tokenUsageNode(u)))
      .catch(this.failed('token usage'));
    await listed;
    if (this.openThread !== threadId) return;
    this.turnTokens(threadId);
    if (turnId !== null) await this.turns.jumpTo(turnId);
  };

  private wireFind(): void {
    const { occurrenceForm, occurrenceSearch, occurrenceList } = this;
    occurrenceForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const term = occurrenceSearch.value.trim();
      const threadId = this.openThread;
      if (threadId !== null) this.findTerms.set(threadId, occurrenceSearch.value);
      if (term === '' || threadId === null) return;
      void this.rpc.typed
        .request('thread/searchOccurrences', { threadId, searchTerm: term, limit: 50 })
        .then((answer) =>
          occurrenceList.replaceChildren(...occurrenceItems(answer.data, (turnId) => this.turns.jumpTo(turnId))),
        );
    });
  }

  private turnTokens(threadId: string): void {
    if (!this.tokensToggle.checked) return this.turns.showTokens(null);
    void this.rpc.typed
      .request('rolloutEngine/tokens/charts', { threadId })
      .then((c) => {
        if (this.openThread !== threadId || !this.tokensToggle.checked) return;
        this.turns.showTokens(turnTokensByTurn(c.turns ?? []));
      })
      .catch(this.failed('token bars'));
  }

  /** The turns' token bars, the home's charts, and the usage a followed thread has reached, live. */
  private wireTokens(): void {
    this.tokensToggle.addEventListener('change', () => this.openThread !== null && this.turnTokens(this.openThread));
    this.chartsToggle.addEventListener('click', () => {
      const opening = this.charts.hidden;
      this.showCharts(opening);
      if (!opening) return;
      this.show('thread');
      this.charts.replaceChildren(element('p', { class: 'meta' }, 'reading the token audit…'));
      void this.rpc.typed.request('rolloutEngine/tokens/charts', {}).then(
        (c) => this.charts.replaceChildren(tokenChartsNode(c)),
        (err: unknown) =>
          this.charts.replaceChildren(element('p', { class: 'meta' }, `token audit failed: ${String(err)}`)),
      );
    });
    // Live: the usage a followed thread has reached.
    this.rpc.onNotification((method, params) => {
      const u = params as TokenUsageAnswer;
      if (method === 'thread/tokenUsage/updated' && u.threadId === this.openThread)
        byId('thread-tokens').replaceChildren(tokenUsageNode(u));
    });
  }

  /** A lost connection shows at once; once back, the list and the open thread are read again where they were. */
  private wireConnection(): void {
    const connection = byId('connection');
    this.rpc.onConnection((state) => {
      if (state === 'lost') {
        connection.textContent = 'Connection to the server lost — reconnecting…';
        connection.hidden = false;
        return;
      }
      connection.hidden = true;
      const at = route();
      void this.threads.reload().catch(this.failed('thread list'));
      if (at.thread !== null) void this.open(at.thread, at.turn, false).catch(this.failed('reopen'));
    });
  }
}
