import { Parser } from 'commonmark';
import type { Node as MarkdownNode } from 'commonmark';
import { element, externalLink, hasScheme, pathNode, safeHref } from './dom.js';

/**
 * An agent's Markdown (CommonMark, as Codex's clients render it) as DOM nodes, built from the
 * parse tree with `element` (text always as text): raw HTML in the message is shown as the text it
 * is, a link leads only to http, https or mailto (dom.ts `safeHref`), a link to a path is shown as
 * the path, and an image is a link to it, never loaded (the page loads nothing from other hosts).
 */

/** Headings inside a message sit below the item's own title (an h3). */
const headingTag = (level: number): 'h4' | 'h5' | 'h6' => (level <= 1 ? 'h4' : level === 2 ? 'h5' : 'h6');

/** The element a container node of the tree opens (its children go inside). */
const containerOf = (node: MarkdownNode): HTMLElement => {
  switch (node.type) {
    case 'paragraph':
      return element('p');
    case 'block_quote':
      return element('blockquote');
    case 'list':
      return node.listType === 'ordered' ? element('ol', node.listStart === 1 ? {} : { start: String(node.listStart) }) : element('ul');
    case 'item':
      return element('li');
    case 'heading':
      return element(headingTag(node.level));
    case 'emph':
      return element('em');
    case 'strong':
      return element('strong');
    case 'link': {
      const destination = node.destination ?? '';
      const href = safeHref(destination);
      if (href !== null) return externalLink(href);
      // A path (no scheme) is the thread's machine's; any other scheme is not followed. Either way the
      // link's text stays (its children, appended next), the destination on hover.
      return hasScheme(destination) ? element('span', { class: 'link-not-followed', title: destination }) : pathNode(destination, '');
    }
    case 'image': {
      const href = safeHref(node.destination ?? '');
      return href === null ? element('span', { class: 'image-ref', title: node.destination ?? '' }) : externalLink(href);
    }
    default:
      // custom_block / custom_inline: nothing of their own, their children as they are.
      return element(node.isContainer && node.type.endsWith('block') ? 'div' : 'span');
  }
};

/** The node a leaf of the tree makes. */
const leafOf = (node: MarkdownNode): Node => {
  switch (node.type) {
    case 'softbreak':
      return document.createTextNode('\n');
    case 'linebreak':
      return element('br');
    case 'code':
      return element('code', {}, node.literal ?? '');
    case 'code_block':
      return element('pre', {}, element('code', {}, node.literal ?? ''));
    case 'thematic_break':
      return element('hr');
    case 'html_block':
      return element('pre', { class: 'raw-html' }, node.literal ?? '');
    case 'html_inline':
      return element('span', { class: 'raw-html' }, node.literal ?? '');
    default:
      return document.createTextNode(node.literal ?? '');
  }
};

export const markdownNode = (text: string): HTMLElement => {
  const root = element('div', { class: 'markdown' });
  const parents: HTMLElement[] = [root];
  const walker = new Parser().parse(text).walker();
  for (let step = walker.next(); step !== null; step = walker.next()) {
    const { node, entering } = step;
    if (node.type === 'document') continue;
    if (!node.isContainer) {
      if (entering) parents[parents.length - 1]!.append(leafOf(node));
      continue;
    }
    if (!entering) {
      parents.pop();
      continue;
    }
    const opened = containerOf(node);
    // An image's children are its alt text: shown, marked as an image.
    if (node.type === 'image') opened.append('image: ');
    parents[parents.length - 1]!.append(opened);
    parents.push(opened);
  }
  return root;
};

/** The words of a Markdown text without its marks, on one line (a collapsed turn's summary of the agent's answer). */
export const markdownText = (text: string): string => {
  const words: string[] = [];
  const walker = new Parser().parse(text).walker();
  for (let step = walker.next(); step !== null; step = walker.next()) {
    const { node, entering } = step;
    if (entering && node.literal !== null) words.push(node.literal);
    else if (node.type === 'softbreak' || node.type === 'linebreak' || (!entering && node.isContainer)) words.push(' ');
  }
  return words.join('').replace(/\s+/g, ' ').trim();
};
