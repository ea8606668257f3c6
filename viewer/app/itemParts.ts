import type { ThreadItemOf } from '../../domain/thread/threadItem.js';
import { WEB_SCHEMES, element, externalLink, safeHref } from './dom.js';

// The parts item nodes (itemView.ts) are built from: images, statuses, diffs, tool outputs, a web search's lines.

/** An inline image the page may show: only `data:image/…` (the page's CSP loads nothing from other hosts). */
export const thumbnail = (url: unknown, alt: string): HTMLElement =>
  typeof url === 'string' && url.startsWith('data:image/')
    ? element('img', { class: 'thumbnail', src: url, alt })
    : element('span', { class: 'image-ref' }, `[image ${typeof url === 'string' ? url.slice(0, 80) : ''}]`);

export const json = (v: unknown): string => JSON.stringify(v, null, 2);

/** A status as a word the style colours (failed red, declined and interrupted amber, completed green). */
export const statusWord = (status: string): HTMLElement =>
  element('span', { class: `status-word status-${status}` }, status);

/** A <details> holding `body`, closed. */
export const folded = (summary: string, ...body: Array<Node | string>): HTMLElement =>
  element('details', { class: 'output-box' }, element('summary', {}, summary), ...body);

/** A unified diff, one line per node, added and removed lines marked for the style. */
export const diffNode = (diff: string, kind: string): HTMLElement => {
  const pre = element('pre', { class: 'diff' });
  for (const line of diff.replace(/\n$/, '').split('\n')) {
    const cls =
      kind === 'add'
        ? 'added'
        : kind === 'delete'
          ? 'removed'
          : line.startsWith('+')
            ? 'added'
            : line.startsWith('-')
              ? 'removed'
              : line.startsWith('@@')
                ? 'hunk'
                : 'context';
    pre.append(
      element('span', { class: `diff-line ${cls}` }, `${kind === 'add' ? '+' : kind === 'delete' ? '-' : ''}${line}\n`),
    );
  }
  return pre;
};

/** MCP / dynamic tool output parts: text as text, images as thumbnails, anything else as JSON. */
export const outputParts = (parts: ReadonlyArray<unknown>): HTMLElement => {
  const out = element('div', { class: 'tool-output' });
  for (const p of parts) {
    const part = (p ?? {}) as Record<string, unknown>;
    // MCP (`text`), dynamic tools (`inputText`) and function call outputs (`input_text`) name text parts each their way.
    if (
      (part['type'] === 'text' || part['type'] === 'inputText' || part['type'] === 'input_text') &&
      typeof part['text'] === 'string'
    )
      out.append(element('pre', { class: 'output' }, part['text']));
    else if (part['type'] === 'image' && typeof part['data'] === 'string')
      out.append(thumbnail(`data:${String(part['mimeType'] ?? 'image/png')};base64,${part['data']}`, 'tool image'));
    else if (part['type'] === 'inputImage') out.append(thumbnail(part['imageUrl'], 'tool image'));
    else if (part['type'] === 'input_image') out.append(thumbnail(part['image_url'], 'tool image'));
    else out.append(element('pre', { class: 'output' }, json(p)));
  }
  return out;
};

/**
 * What a web search shows, a line each: its query (or queries), and the page it opened or searched
 * in, a link when it is a web page (http, https). Codex's actions: search, openPage, findInPage.
 */
export const webSearchLines = (item: ThreadItemOf<'webSearch'>): Array<Array<Node | string>> => {
  const action = item.action ?? {};
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const page = (url: string): Node | string => {
    const href = safeHref(url, WEB_SCHEMES);
    return href === null ? url : externalLink(href, url);
  };
  const queries = Array.isArray(action['queries'])
    ? action['queries'].filter((q): q is string => typeof q === 'string')
    : [];
  const lines: Array<Array<Node | string>> = [];
  const query = str(item.query) ?? str(action['query']);
  if (query !== null) lines.push([page(query)]);
  for (const q of queries) if (q !== query) lines.push([q]);
  const url = str(action['url']);
  const pattern = str(action['pattern']);
  if (url !== null && url !== query)
    lines.push(pattern === null ? ['opened ', page(url)] : [`found “${pattern}” in `, page(url)]);
  return lines;
};
