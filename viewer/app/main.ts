import type { Thread } from '../../domain/thread/thread.js';
import { element, formatTime } from './dom.js';
import { connectRpc } from './rpcClient.js';
import type { RpcClient } from './rpcClient.js';
import { ThreadList } from './threadList.js';
import { TurnList } from './turnList.js';

/** The web viewer: the home's threads on the left, one thread's turns on the right; the URL's hash names the thread and turn (`#thread=ID&turn=ID`). */

const byId = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
};

interface Occurrence {
  readonly turnId: string;
  readonly itemId: string;
  readonly snippet: string;
}

const route = (): { thread: string | null; turn: string | null } => {
  const hash = new URLSearchParams(location.hash.slice(1));
  return { thread: hash.get('thread'), turn: hash.get('turn') };
};

const setRoute = (thread: string, turn: string | null): void => {
  const hash = new URLSearchParams({ thread, ...(turn === null ? {} : { turn }) });
  history.replaceState(null, '', `#${hash.toString()}`);
};

const start = async (): Promise<void> => {
  const status = byId('thread-status');
  let rpc: RpcClient;
  try {
    rpc = await connectRpc(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`);
  } catch (err) {
    status.textContent = `cannot reach the server: ${String(err)}`;
    return;
  }
  let openThread: string | null = null;
  const turns = new TurnList(rpc, { scroller: byId('turn-scroller'), space: byId('turn-space'), status: byId('turn-status') }, (turnId) => {
    if (openThread !== null) setRoute(openThread, turnId);
  });
  const occurrenceForm = byId<HTMLFormElement>('occurrence-form');
  const occurrenceSearch = byId<HTMLInputElement>('occurrence-search');
  const occurrenceList = byId('occurrence-list');

  const open = async (threadId: string, turnId: string | null): Promise<void> => {
    openThread = threadId;
    threads.select(threadId);
    setRoute(threadId, turnId);
    occurrenceForm.hidden = false;
    occurrenceList.replaceChildren();
    byId('thread-title').textContent = 'loading…';
    byId('thread-meta').textContent = '';
    const read = rpc.request<{ thread: Thread }>('thread/read', { threadId, includeTurns: false });
    await turns.open(threadId);
    const { thread } = await read;
    if (openThread !== threadId) return;
    byId('thread-title').textContent = thread.name ?? (thread.preview === '' ? thread.id : thread.preview);
    byId('thread-meta').textContent = [
      thread.id,
      formatTime(thread.createdAt),
      thread.model ?? '',
      thread.cwd,
      thread.forkedFromId === null ? '' : `forked from ${thread.forkedFromId}`,
    ]
      .filter((s) => s !== '')
      .join(' · ');
    if (turnId !== null) await turns.jumpTo(turnId);
  };

  occurrenceForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const term = occurrenceSearch.value.trim();
    const threadId = openThread;
    if (term === '' || threadId === null) return;
    void rpc.request<{ data: Occurrence[] }>('thread/searchOccurrences', { threadId, searchTerm: term, limit: 50 }).then((answer) => {
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

  const threads = new ThreadList(
    rpc,
    {
      search: byId('thread-search'),
      sort: byId('thread-sort'),
      archived: byId('thread-archived'),
      cwd: byId('thread-cwd'),
      list: byId('thread-list'),
      more: byId('thread-more'),
      status,
    },
    (threadId) => void open(threadId, null),
  );
  const first = route();
  await Promise.all([threads.reload(), first.thread === null ? Promise.resolve() : open(first.thread, first.turn)]);
  window.addEventListener('hashchange', () => {
    const r = route();
    if (r.thread !== null && r.thread !== openThread) void open(r.thread, r.turn);
  });
};

void start();
