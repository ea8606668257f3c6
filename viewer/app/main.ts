import type { Thread } from '../../domain/thread/thread.js';
import { cwdNode, element, formatTime } from './dom.js';
import { exportThread } from './exportThread.js';
import type { TokenUsageAnswer } from './tokenUsage.js';
import type { TurnTokens } from './turnRow.js';
import { tokenChartsNode, tokenUsageNode } from './tokenUsage.js';
import { RpcError, connectRpc } from './rpcClient.js';
import type { RpcClient } from './rpcClient.js';
import { ThreadList } from './threadList.js';
import { treeNode } from './threadTree.js';
import { TurnList } from './turnList.js';

/**
 * The web viewer: the home's threads on the left, one thread's turns on the right (on a phone, one
 * of the two at a time: `#app[data-view]`); the URL's hash names the thread and turn (`#thread=ID&turn=ID`).
 */

const byId = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
};

const route = (): { thread: string | null; turn: string | null } => {
  const hash = new URLSearchParams(location.hash.slice(1));
  return { thread: hash.get('thread'), turn: hash.get('turn') };
};

const setRoute = (thread: string, turn: string | null): void => {
  const hash = new URLSearchParams({ thread, ...(turn === null ? {} : { turn }) });
  history.replaceState(null, '', `#${hash.toString()}`);
};

/**
 * The `--ws-auth` token, given once in the URL (`#token=…`, never sent to the server as part of
 * the page's address), kept for this tab's reloads and taken out of the address bar.
 */
const bearerToken = (): string | null => {
  const hash = new URLSearchParams(location.hash.slice(1));
  const given = hash.get('token');
  if (given !== null) {
    sessionStorage.setItem('rollout-engine.token', given);
    hash.delete('token');
    history.replaceState(null, '', hash.size === 0 ? location.pathname : `#${hash.toString()}`);
  }
  return sessionStorage.getItem('rollout-engine.token');
};

/**
 * Whether a link's id is written as a thread id (a UUID, hyphenated, as every thread's id and every
 * link the viewer makes): anything else is no thread id at all, whatever the server's parser says of it.
 */
const isThreadIdText = (text: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);

/** JSON-RPC's invalid request and invalid params: how the server answers a thread id it has no thread for (adapters/driving/rpc/errors.ts). */
const NO_SUCH_THREAD_CODES: ReadonlySet<number> = new Set([-32600, -32602]);

/** The thread header's facts, `·` between them; the working directory cut at its start (dom.ts `cwdNode`). */
const metaParts = (thread: Thread): Node[] => {
  const parts: Array<Node | string> = [
    thread.id,
    formatTime(thread.createdAt),
    thread.model ?? '',
    thread.cwd === '' ? '' : cwdNode(thread.cwd),
    thread.forkedFromId === null ? '' : `forked from ${thread.forkedFromId}`,
  ].filter((p) => p !== '');
  return parts.flatMap((p, i) => [...(i === 0 ? [] : [element('span', { 'aria-hidden': 'true' }, '·')]), typeof p === 'string' ? element('span', {}, p) : p]);
};

const start = async (): Promise<void> => {
  const status = byId('thread-status');
  const app = byId('app');
  /** On a phone the list and the thread take the screen in turn (the style shows the one named here); wider, both show. */
  const show = (view: 'list' | 'thread'): void => void (app.dataset['view'] = view);
  byId('back-to-list').addEventListener('click', () => {
    show('list');
    byId('thread-list').querySelector<HTMLElement>('[aria-current="true"]')?.focus();
  });
  let rpc: RpcClient;
  try {
    rpc = await connectRpc(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`, bearerToken());
  } catch (err) {
    status.textContent = `cannot reach the server: ${String(err)}`;
    return;
  }
  let openThread: string | null = null;
  /** The open thread's name (null: none, its title is its preview). */
  let openName: string | null = null;
  const turnStatus = byId('turn-status');
  const notice = byId('mutation-notice');
  /** Says what a mutation wrote and where (with its follow-up actions), until the next thread is opened or the next mutation. */
  const tell = (text: string, ...actions: Array<{ label: string; run: () => void }>): void => {
    notice.replaceChildren(
      element('span', {}, text),
      ...actions.map((a) => {
        const b = element('button', { type: 'button' }, a.label);
        b.addEventListener('click', a.run);
        return b;
      }),
    );
    notice.hidden = false;
  };
  const failed = (what: string) => (err: unknown) => void (turnStatus.textContent = `${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  const turns = new TurnList(
    rpc,
    { scroller: byId('turn-scroller'), space: byId('turn-space'), status: turnStatus },
    (turnId) => {
      if (openThread !== null) setRoute(openThread, turnId);
    },
    {
      fork: (turnId) => {
        const threadId = openThread;
        if (threadId === null) return;
        // A fork is named after its source until renamed, so it is told apart in every list.
        const name = `Fork of ${byId('thread-title').textContent ?? threadId}`;
        if (!window.confirm(`Fork this thread after this turn? A new thread is written, named "${name}".`)) return;
        void (async () => {
          const { thread } = await rpc.typed.request('thread/fork', { threadId, lastTurnId: turnId, excludeTurns: true });
          await rpc.typed.request('thread/name/set', { threadId: thread.id, name });
          await Promise.all([threads.reload(), open(thread.id, null)]);
          tell(`Forked after turn ${turnId}: a new thread, “${name}” (${thread.id}), written to ${thread.path}. The source is unchanged.`, {
            label: 'Open the source',
            run: () => void open(threadId, turnId),
          });
        })().catch(failed('fork'));
      },
      revert: (turnId) => {
        const threadId = openThread;
        if (threadId === null || !window.confirm('Revert this thread to before this turn? A revision of its history is written; the rollout keeps the old one.')) return;
        void (async () => {
          const { thread } = await rpc.typed.request('thread/revert', { threadId, beforeTurnId: turnId });
          await open(threadId, null);
          tell(`Reverted to before turn ${turnId}: a revision of the history was written to ${thread.path}; the earlier file keeps the turns it left out.`);
        })().catch(failed('revert'));
      },
    },
  );
  const occurrenceForm = byId<HTMLFormElement>('occurrence-form');
  const occurrenceSearch = byId<HTMLInputElement>('occurrence-search');
  const occurrenceList = byId('occurrence-list');
  /** The find term each thread was last searched with. */
  const findTerms = new Map<string, string>();

  const treeToggle = byId<HTMLButtonElement>('tree-toggle');
  const tree = byId('thread-tree');
  const renameToggle = byId<HTMLButtonElement>('rename-toggle');
  // On a phone the filters past the search fold away behind one button (the style shows them always elsewhere); it says how many are set.
  const filtersToggle = byId<HTMLButtonElement>('filters-toggle');
  const moreFilters = byId('more-filters');
  filtersToggle.addEventListener('click', () => {
    const opening = !moreFilters.classList.contains('open');
    moreFilters.classList.toggle('open', opening);
    filtersToggle.setAttribute('aria-expanded', String(opening));
  });
  const countFilters = (): void => {
    const set = [...moreFilters.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')].filter((f) =>
      f instanceof HTMLInputElement && f.type === 'checkbox' ? f.checked : f instanceof HTMLSelectElement ? f.selectedIndex > 0 : f.value.trim() !== '',
    ).length;
    filtersToggle.textContent = set === 0 ? 'Filters' : `Filters (${set})`;
  };
  moreFilters.addEventListener('input', countFilters);
  moreFilters.addEventListener('change', countFilters);
  const chartsToggle = byId<HTMLButtonElement>('charts-toggle');
  const charts = byId('token-charts');
  /**
   * The home's charts take the thread's pane (its width, not the list's 340 px), in place of the
   * thread shown, which comes back as it was when they are closed; opening a thread closes them.
   */
  const showCharts = (shown: boolean): void => {
    charts.hidden = !shown;
    chartsToggle.setAttribute('aria-expanded', String(shown));
    app.dataset['main'] = shown ? 'charts' : 'thread';
  };
  const renameForm = byId<HTMLFormElement>('rename-form');
  const renameInput = byId<HTMLInputElement>('rename-input');
  const showTree = async (threadId: string): Promise<void> => {
    const answer = await rpc.typed.request('rolloutEngine/thread/tree', { threadId });
    if (openThread === threadId) tree.replaceChildren(treeNode(answer, (id) => void open(id, null)));
  };
  /** A tree's failure is said while its thread is open with the tree shown: a thread not found says so itself, and hides the tree. */
  const treeFailed =
    (threadId: string) =>
    (err: unknown): void => {
      if (openThread === threadId && !tree.hidden) failed('fork tree')(err);
    };
  treeToggle.addEventListener('click', () => {
    const opening = tree.hidden;
    tree.hidden = !opening;
    treeToggle.setAttribute('aria-expanded', String(opening));
    if (opening && openThread !== null) void showTree(openThread).catch(treeFailed(openThread));
  });
  renameToggle.addEventListener('click', () => {
    renameForm.hidden = !renameForm.hidden;
    renameToggle.setAttribute('aria-expanded', String(!renameForm.hidden));
    if (!renameForm.hidden) {
      renameInput.value = byId('thread-title').textContent ?? '';
      renameInput.focus();
    }
  });
  /** Names the thread; the notice says what was written, and offers the name it had back. */
  const rename = async (threadId: string, name: string, before: string | null): Promise<void> => {
    await rpc.typed.request('thread/name/set', { threadId, name });
    if (openThread === threadId) {
      openName = name.trim();
      byId('thread-title').textContent = openName;
    }
    await threads.reload();
    const where = 'appended to session_index.jsonl in the home, where Codex keeps names';
    if (before === null) tell(`Named “${name.trim()}” (${where}).`);
    else
      tell(`Renamed “${before}” → “${name.trim()}” (${where}).`, {
        label: 'Undo',
        run: () => void rename(threadId, before, null).then(() => tell(`Name restored: “${before}”.`), failed('undo')),
      });
  };
  renameForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const threadId = openThread;
    if (threadId === null) return;
    const before = openName;
    const name = renameInput.value.trim();
    if (name === before) return;
    // A name can be changed but never taken away again (Codex refuses a blank one): a first name is asked for.
    if (before === null && !window.confirm(`Name this thread “${name}”? A name can be changed later, not removed.`)) return;
    renameForm.hidden = true;
    renameToggle.setAttribute('aria-expanded', 'false');
    void rename(threadId, name, before).catch(failed('rename'));
  });

  for (const [id, format] of [
    ['export-markdown', 'markdown'],
    ['export-html', 'html'],
  ] as const)
    byId(id).addEventListener('click', () => {
      const threadId = openThread;
      if (threadId === null) return;
      void exportThread(rpc, threadId, format, (n) => void (turnStatus.textContent = `exporting… ${n} turns`))
        .then(() => void (turnStatus.textContent = ''))
        .catch(failed('export'));
    });

  /**
   * No thread to show for `threadId` (a link to one this home does not hold): nothing of the thread
   * shown before stays — its turns, facts, tokens, actions, tree, find — and the page says so.
   */
  const showMissing = (threadId: string, err: unknown): void => {
    openThread = null;
    openName = null;
    turns.close();
    threads.select(null);
    notice.hidden = true;
    byId('thread-actions').hidden = true;
    renameForm.hidden = true;
    renameToggle.setAttribute('aria-expanded', 'false');
    tree.hidden = true;
    tree.replaceChildren();
    treeToggle.setAttribute('aria-expanded', 'false');
    occurrenceForm.hidden = true;
    occurrenceList.replaceChildren();
    byId('thread-tokens').replaceChildren();
    const words = err instanceof Error ? err.message : String(err);
    const missing = err instanceof RpcError && NO_SUCH_THREAD_CODES.has(err.failure.code);
    // A link whose id is no thread id at all (cut, mistyped): said in words, not in the id parser's.
    const malformed = missing && !isThreadIdText(threadId);
    byId('thread-title').textContent = malformed ? 'Not a thread id' : missing ? 'Thread not found' : 'Cannot open this thread';
    // The server's words when they add to ours (they name the id too, as Codex's do, for an unknown one).
    const said = words.includes(threadId) ? '' : ` (${words})`;
    const note = malformed
      ? `“${threadId}” is not a thread id: a thread id is 36 hex digits and hyphens, like 019a7f00-1111-7000-8000-000000000001. Pick a thread from the list.`
      : missing
        ? `This home holds no thread ${threadId}${said}. Pick one from the list (tick “archived” above it for the archived ones).`
        : `${threadId}: ${words}`;
    // The way to the list, which a narrow screen does not show beside the thread.
    const toList = element('button', { type: 'button', class: 'to-list' }, 'Show the thread list');
    toList.addEventListener('click', () => {
      show('list');
      byId('thread-list').querySelector<HTMLElement>('button.thread-entry')?.focus();
    });
    byId('thread-meta').replaceChildren(element('span', { class: 'missing-note' }, note), ...(missing ? [toList] : []));
    turnStatus.textContent = '';
  };

  /** Open a thread (on a phone, onto the screen, unless `reveal` is false: read again where the reader was). */
  const open = async (threadId: string, turnId: string | null, reveal = true): Promise<void> => {
    openThread = threadId;
    openName = null;
    showCharts(false);
    if (reveal) show('thread');
    notice.hidden = true;
    threads.select(threadId);
    setRoute(threadId, turnId);
    occurrenceForm.hidden = false;
    byId('thread-actions').hidden = false;
    renameForm.hidden = true;
    renameToggle.setAttribute('aria-expanded', 'false');
    if (!tree.hidden) void showTree(threadId).catch(treeFailed(threadId));
    occurrenceList.replaceChildren();
    // Find is per thread: each thread gets back its own term, never the last thread's.
    occurrenceSearch.value = findTerms.get(threadId) ?? '';
    byId('thread-title').textContent = 'loading…';
    byId('thread-meta').replaceChildren();
    byId('thread-tokens').replaceChildren();
    const read = rpc.typed.request('thread/read', { threadId, includeTurns: false });
    const listed = turns.open(threadId);
    let thread: Thread;
    try {
      ({ thread } = await read);
    } catch (err) {
      if (openThread === threadId) showMissing(threadId, err);
      return;
    }
    if (openThread !== threadId) return;
    openName = thread.name ?? null;
    byId('thread-title').textContent = thread.name ?? (thread.preview === '' ? thread.id : thread.preview);
    byId('thread-meta').replaceChildren(...metaParts(thread));
    void rpc.typed
      .request('thread/tokenUsage/read', { threadId })
      .then((u) => openThread === threadId && byId('thread-tokens').replaceChildren(tokenUsageNode(u)))
      .catch(failed('token usage'));
    await listed;
    if (openThread !== threadId) return;
    turnTokens(threadId);
    if (turnId !== null) await turns.jumpTo(turnId);
  };

  occurrenceForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const term = occurrenceSearch.value.trim();
    const threadId = openThread;
    if (threadId !== null) findTerms.set(threadId, occurrenceSearch.value);
    if (term === '' || threadId === null) return;
    void rpc.typed.request('thread/searchOccurrences', { threadId, searchTerm: term, limit: 50 }).then((answer) => {
      occurrenceList.replaceChildren(
        ...answer.data.map((o) => {
          const button = element('button', { type: 'button', class: 'occurrence' }, o.snippet);
          button.addEventListener('click', () => void turns.jumpTo(o.turnId));
          return element('li', {}, button);
        }),
      );
      if (answer.data.length === 0) occurrenceList.replaceChildren(element('li', {}, 'not found'));
    });
  });

  const tokensToggle = byId<HTMLInputElement>('tokens-toggle');
  const turnTokens = (threadId: string): void => {
    if (!tokensToggle.checked) return turns.showTokens(null);
    void rpc.typed
      .request('rolloutEngine/tokens/charts', { threadId })
      .then((c) => {
        if (openThread !== threadId || !tokensToggle.checked) return;
        const usage = new Map<string, TurnTokens>();
        for (const g of c.turns ?? [])
          if (g.key !== null)
            usage.set(g.key, { cached: g.cachedInputTokens, uncached: Math.max(0, g.inputTokens - g.cachedInputTokens), output: g.outputTokens, total: g.totalTokens });
        turns.showTokens(usage);
      })
      .catch(failed('token bars'));
  };
  tokensToggle.addEventListener('change', () => openThread !== null && turnTokens(openThread));

  chartsToggle.addEventListener('click', () => {
    const opening = charts.hidden;
    showCharts(opening);
    if (!opening) return;
    show('thread');
    charts.replaceChildren(element('p', { class: 'meta' }, 'reading the token audit…'));
    void rpc.typed.request('rolloutEngine/tokens/charts', {}).then(
      (c) => charts.replaceChildren(tokenChartsNode(c)),
      (err: unknown) => charts.replaceChildren(element('p', { class: 'meta' }, `token audit failed: ${String(err)}`)),
    );
  });

  // Live: the usage a followed thread has reached.
  rpc.onNotification((method, params) => {
    const u = params as TokenUsageAnswer;
    if (method === 'thread/tokenUsage/updated' && u.threadId === openThread) byId('thread-tokens').replaceChildren(tokenUsageNode(u));
  });

  const threads = new ThreadList(
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
    (threadId) => void open(threadId, null),
  );
  // A lost connection shows at once; once back, the list and the open thread are read again where they were.
  const connection = byId('connection');
  rpc.onConnection((state) => {
    if (state === 'lost') {
      connection.textContent = 'Connection to the server lost — reconnecting…';
      connection.hidden = false;
      return;
    }
    connection.hidden = true;
    const at = route();
    void threads.reload().catch(failed('thread list'));
    if (at.thread !== null) void open(at.thread, at.turn, false).catch(failed('reopen'));
  });

  // Heard from the start: back and forward work while the first thread (a deep link's turn) still loads.
  window.addEventListener('hashchange', () => {
    const r = route();
    if (r.thread !== null && r.thread !== openThread) void open(r.thread, r.turn).catch(failed('open'));
  });
  const first = route();
  show(first.thread === null ? 'list' : 'thread');
  await Promise.all([threads.reload(), first.thread === null ? Promise.resolve() : open(first.thread, first.turn).catch(failed('open'))]);
};

void start();
