import type { Thread } from '../../domain/thread/thread.js';
import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';
import { element, formatTime } from './dom.js';
import { itemNode, userText } from './itemView.js';
import type { RpcClient } from './rpcClient.js';

/**
 * A thread exported as Markdown or as one self-contained HTML file (its style inside, no script):
 * built from `thread/turns/list` full pages, oldest first — the one place the viewer reads a
 * whole thread, because the person asked for all of it.
 */

/** Every turn, oldest first, in full; `progress` is told how many so far. */
const allTurns = async (rpc: RpcClient, threadId: string, progress: (turns: number) => void): Promise<Turn[]> => {
  const turns: Turn[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: Turn[]; nextCursor: string | null } = await rpc.request('thread/turns/list', {
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

const title = (thread: Thread): string => thread.name ?? (thread.preview === '' ? thread.id : thread.preview);

/** A fence longer than any run of backticks in the text. */
const fenced = (text: string, info = ''): string => {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info}\n${text}\n${fence}`;
};

const itemMarkdown = (item: ThreadItem): string => {
  switch (item.type) {
    case 'userMessage':
      return `**User**\n\n${userText(item)}`;
    case 'agentMessage':
      return `**Agent**\n\n${item.text}`;
    case 'reasoning':
      return `*Reasoning*\n\n${[...item.summary, ...item.content].map((l) => `> ${l}`).join('\n')}`;
    case 'commandExecution':
      return `**Command** (exit ${item.exitCode ?? '?'})\n\n${fenced(`$ ${item.command}`, 'sh')}${item.aggregatedOutput ? `\n\n${fenced(item.aggregatedOutput)}` : ''}`;
    case 'contextCompaction':
      return '*Context compacted*';
    case 'enteredReviewMode':
      return `*Review started*: ${item.review}`;
    case 'exitedReviewMode':
      return `*Review finished*\n\n${item.review}`;
    default:
      return fenced(JSON.stringify(item, null, 2), 'json');
  }
};

export const threadMarkdown = (thread: Thread, turns: ReadonlyArray<Turn>): string =>
  [
    `# ${title(thread)}`,
    [thread.id, formatTime(thread.createdAt), thread.model ?? '', thread.cwd].filter((s) => s !== '').join(' · '),
    ...turns.map((turn, i) =>
      [
        `## Turn ${i + 1} · ${turn.status} · ${formatTime(turn.startedAt)}`,
        ...(turn.error === null ? [] : [`**Error:** ${turn.error.message}`]),
        ...turn.items.map(itemMarkdown),
      ].join('\n\n'),
    ),
  ].join('\n\n') + '\n';

export const threadHtml = (thread: Thread, turns: ReadonlyArray<Turn>, css: string): string => {
  const doc = document.implementation.createHTMLDocument(title(thread));
  doc.documentElement.lang = 'en';
  doc.head.prepend(element('meta', { charset: 'utf-8' }));

  const body = element('main', { class: 'export' }, element('h1', {}, title(thread)), element('p', { class: 'meta' }, `${thread.id} · ${formatTime(thread.createdAt)}`));
  turns.forEach((turn, i) => {
    const items = turn.items.map((item) => itemNode(item, () => Promise.resolve(null)));
    for (const details of items.flatMap((n) => [...n.querySelectorAll('details')])) details.open = true;
    body.append(
      element(
        'article',
        { class: 'turn expanded export-turn' },
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

export const exportThread = async (rpc: RpcClient, threadId: string, format: 'markdown' | 'html', progress: (turns: number) => void): Promise<void> => {
  const [{ thread }, turns] = await Promise.all([rpc.request<{ thread: Thread }>('thread/read', { threadId, includeTurns: false }), allTurns(rpc, threadId, progress)]);
  if (format === 'markdown') return download(`thread-${threadId}.md`, 'text/markdown;charset=utf-8', threadMarkdown(thread, turns));
  const css = await (await fetch('viewer.css')).text();
  download(`thread-${threadId}.html`, 'text/html;charset=utf-8', threadHtml(thread, turns, css));
};
