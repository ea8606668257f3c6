/** Building DOM nodes: text goes in as text (never as HTML), so nothing a rollout holds can run in the page. */
export const element = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string>> = {},
  ...children: ReadonlyArray<Node | string | null>
): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) if (c !== null) node.append(c);
  return node;
};

/** `text` with each case-insensitive occurrence of `term` in a <mark> (how thread/search matches: literal, case-insensitive). */
export const highlighted = (text: string, term: string): Node => {
  const out = document.createDocumentFragment();
  if (term === '') {
    out.append(text);
    return out;
  }
  const lower = text.toLowerCase();
  const needle = term.toLowerCase();
  let at = 0;
  for (let hit = lower.indexOf(needle); hit >= 0; hit = lower.indexOf(needle, at)) {
    out.append(text.slice(at, hit), element('mark', {}, text.slice(hit, hit + needle.length)));
    at = hit + needle.length;
  }
  out.append(text.slice(at));
  return out;
};

export const formatTime = (seconds: number | null): string =>
  seconds === null ? '' : new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19);

/** Schemes a link of the page may lead to: the web and mail. Never `javascript:`, `data:`, `file:`, nor a path on the viewer's own host. */
const LINK_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/** Whether `url` names a scheme (`https:`, `javascript:`); one without is a path of the thread's machine. */
export const hasScheme = (url: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(url);

/** `url` as an address the page may link to (see LINK_SCHEMES), or null. A URL without a scheme is a path (of the thread's machine), not a link. */
export const safeHref = (url: string, schemes: ReadonlySet<string> = LINK_SCHEMES): string | null => {
  if (!hasScheme(url)) return null;
  try {
    const parsed = new URL(url);
    return schemes.has(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
};

/** Web pages only (a web search's page). */
export const WEB_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:']);

/** A link that opens in a new tab and tells the page it leads to nothing (no opener, no referrer). */
export const externalLink = (href: string, ...children: ReadonlyArray<Node | string>): HTMLAnchorElement =>
  element('a', { href, rel: 'noopener noreferrer', target: '_blank' }, ...children);

/** A path on the thread's machine: shown, never a link (the page's host is not that machine); the whole path on hover. */
export const pathNode = (path: string, label = path): HTMLElement =>
  element('span', { class: 'file-ref', title: path }, label);

/**
 * A working directory, cut (when it must be) at its start: its last folders are what tell threads
 * apart (`…/payments-api`, `…/web`), so the ellipsis goes before them (the style's right-to-left
 * box), the marks around it keeping the path itself left to right; the whole path on hover.
 */
export const cwdNode = (cwd: string): HTMLElement =>
  element('span', { class: 'meta cwd', title: cwd }, `\u200e${cwd}\u200e`);
