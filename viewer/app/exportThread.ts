import type { Thread } from '../../domain/thread/thread.js';
import type { Turn } from '../../domain/thread/turn.js';
import { element, formatTime } from './dom.js';
import { itemNode } from './itemView.js';
import { threadMarkdown, threadTitle } from './threadMarkdown.js';
import type { RpcClient } from './rpcClient.js';
import type { TurnPage } from '../../protocol/turns.js';

/**
 * A thread exported as Markdown (`threadMarkdown.ts`) or as one self-contained HTML file (its style inside, no script):
 * built from `thread/turns/list` full pages, oldest first — the one place the viewer reads a
 * whole thread, because the person asked for all of it.
 */

/** Every turn, oldest first, in full; `progress` is told how many so far. */
const allTurns = async (rpc: RpcClient, threadId: string, progress: (turns: number) => void): Promise<Turn[]> => {
  const turns: Turn[] = [];
  let cursor: string | null = null;
  do {
    const page: TurnPage = await rpc.typed.request('thread/turns/list', {
      threadId,
      limit: 100,
      sortDirection: 'asc',
      itemsView: 'full',
      ...(cursor === null ? {} : { cursor }),
    });
    turns.push(...page.data);
    cursor = page.nextCursor;
    progress(turns.length);
  } while (cursor !== null);
  return turns;
};

export const threadHtml = (thread: Thread, turns: ReadonlyArray<Turn>, css: string): string => {
  const doc = document.implementation.createHTMLDocument(threadTitle(thread));
  doc.documentElement.lang = 'en';
  doc.head.prepend(element('meta', { charset: 'utf-8' }));

  const body = element(
    'main',
    { class: 'export' },
    element('h1', {}, threadTitle(thread)),
    element('p', { class: 'meta' }, `${thread.id} · ${formatTime(thread.createdAt)}`),
  );
  turns.forEach((turn, i) => {
    const items = turn.items.map((item) => itemNode(item, () => Promise.resolve(null)));
    for (const details of items.flatMap((n) => [...n.querySelectorAll('details')])) details.open = true;
    body.append(
      element(
        'article',
        { class: 'turn expanded export-turn', 'data-status': turn.status },
        element('h2', {}, `Turn ${i + 1} · ${turn.status} · ${formatTime(turn.startedAt)}`),
        turn.error === null ? null : element('p', { class: 'turn-error' }, `Error: ${turn.error.message}`),
        ...items,
      ),
    );
  });
  doc.body.append(body);
  // The style goes in as text: a <style> made in any document of this page meets this page's CSP, which refuses inline style.
  const style = `<style>${css.replaceAll('</', '<\\/')}</style>`;
  return `<!doctype html>\n${doc.documentElement.outerHTML.replace('</head>', `${style}</head>`)}\n`;
};

/** Hand the text to the browser as a file download. */
const download = (name: string, type: string, text: string): void => {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = element('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
};

export const exportThread = async (
  rpc: RpcClient,
  threadId: string,
  format: 'markdown' | 'html',
  progress: (turns: number) => void,
): Promise<void> => {
  const [{ thread }, turns] = await Promise.all([
    rpc.typed.request('thread/read', { threadId, includeTurns: false }),
    allTurns(rpc, threadId, progress),
  ]);
  if (format === 'markdown')
    return download(`thread-${threadId}.md`, 'text/markdown;charset=utf-8', threadMarkdown(thread, turns));
  const css = await (await fetch('viewer.css')).text();
  download(`thread-${threadId}.html`, 'text/html;charset=utf-8', threadHtml(thread, turns, css));
};
