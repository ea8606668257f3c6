import MarkdownIt from 'markdown-it';
import { element, externalLink, hasScheme, pathNode, safeHref } from './dom.js';

/**
 * An agent's Markdown as DOM nodes, built from markdown-it's tokens with `element` (text always as
 * text): CommonMark with GitHub's tables and strikethrough, as Codex's apps render an answer
 * (markdown-it, not commonmark.js, since commonmark.js has no tables: an agent's table ran together
 * on one line; search's text, domain/search/markdownText.ts, keeps commonmark.js: it follows what
 * Codex's own reading of a message finds). Raw HTML in the message is shown as the text it is, a link leads only to http,
 * https or mailto (dom.ts `safeHref`), a link to a path is shown as the path, and an image is a
 * link to it, never loaded (the page loads nothing from other hosts).
 */
const parser = new MarkdownIt('commonmark', { html: true, linkify: false }).enable(['table', 'strikethrough']);
type Token = ReturnType<typeof parser.parse>[number];

/** A token's attribute as text (markdown-it types them string or number). */
const attr = (token: Token, name: string): string | null => {
  const value = token.attrGet(name);
  return value === null ? null : String(value);
};

/** Headings inside a message sit below the item's own title (an h3). */
const headingTag = (tag: string): 'h4' | 'h5' | 'h6' => (tag === 'h1' ? 'h4' : tag === 'h2' ? 'h5' : 'h6');

/** A cell's alignment (`| :-: |`): markdown-it gives it as a style attribute; the page's CSP allows no inline style, so a class. */
const alignClass = (token: Token): Record<string, string> => {
  const align = /text-align:(left|center|right)/.exec(attr(token, 'style') ?? '')?.[1];
  return align === undefined ? {} : { class: `align-${align}` };
};

/** The element an opening token opens (its content goes inside, up to its closing token). */
const containerOf = (token: Token): HTMLElement => {
  switch (token.type) {
    case 'heading_open':
      return element(headingTag(token.tag));
    case 'ordered_list_open': {
      const start = attr(token, 'start');
      return element('ol', start === null || start === '1' ? {} : { start });
    }
    case 'link_open': {
      const destination = attr(token, 'href') ?? '';
      const href = safeHref(destination);
      if (href !== null) return externalLink(href);
      // A path (no scheme) is the thread's machine's; any other scheme is not followed. Either way the
      // link's text stays (its children, appended next), the destination on hover.
      return hasScheme(destination)
        ? element('span', { class: 'link-not-followed', title: destination })
        : pathNode(destination, '');
    }
    case 'th_open':
    case 'td_open':
      return element(token.tag as 'th' | 'td', alignClass(token));
    case 'table_open':
      return element('table');
    default:
      // paragraph, blockquote, bullet_list, list_item, em, strong, s, thead, tbody, tr: their own tag.
      return element(token.tag as keyof HTMLElementTagNameMap);
  }
};

/** The node a token without content of its own makes. */
const leafOf = (token: Token): Node => {
  switch (token.type) {
    case 'softbreak':
      return document.createTextNode('\n');
    case 'hardbreak':
      return element('br');
    case 'code_inline':
      return element('code', {}, token.content);
    case 'code_block':
    case 'fence':
      return element('pre', {}, element('code', {}, token.content));
    case 'hr':
      return element('hr');
    case 'html_block':
      return element('pre', { class: 'raw-html' }, token.content);
    case 'html_inline':
      return element('span', { class: 'raw-html' }, token.content);
    case 'image': {
      // Its children are its alt text: shown, marked as an image.
      const href = safeHref(attr(token, 'src') ?? '');
      const link =
        href === null ? element('span', { class: 'image-ref', title: attr(token, 'src') ?? '' }) : externalLink(href);
      link.append('image: ', ...(token.children ?? []).map((c) => c.content));
      return link;
    }
    default:
      return document.createTextNode(token.content);
  }
};

/** Appends the nodes of `tokens` (block or inline) under `root`. */
const build = (root: HTMLElement, tokens: readonly Token[]): void => {
  const parents: HTMLElement[] = [root];
  for (const token of tokens) {
    const parent = parents[parents.length - 1]!;
    // A tight list's paragraphs: their text goes straight into the item, as in GitHub's rendering.
    if (token.hidden && (token.type === 'paragraph_open' || token.type === 'paragraph_close')) continue;
    if (token.nesting === -1) parents.pop();
    else if (token.nesting === 1) {
      const opened = containerOf(token);
      parent.append(opened);
      parents.push(opened);
    } else if (token.type === 'inline') build(parent, token.children ?? []);
    else parent.append(leafOf(token));
  }
};

export const markdownNode = (text: string): HTMLElement => {
  const root = element('div', { class: 'markdown' });
  build(root, parser.parse(text, {}));
  return root;
};

/** The words of a Markdown text without its marks, on one line (a collapsed turn's summary of the agent's answer). */
export const markdownText = (text: string): string => {
  const words: string[] = [];
  const walk = (tokens: readonly Token[]): void => {
    for (const token of tokens) {
      if (token.type === 'inline') walk(token.children ?? []);
      else if (token.type === 'image') walk(token.children ?? []);
      else if (token.type === 'softbreak' || token.type === 'hardbreak' || token.nesting === -1) words.push(' ');
      else if (token.nesting === 0) words.push(token.content);
    }
  };
  walk(parser.parse(text, {}));
  return words.join('').replace(/\s+/g, ' ').trim();
};
