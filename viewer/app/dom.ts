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

export const formatTime = (seconds: number | null): string => (seconds === null ? '' : new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19));
