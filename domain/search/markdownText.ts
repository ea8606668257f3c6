import { Parser } from 'commonmark';
import { collapseWhitespace, trimWhitespace } from './conversationText.js';

const parser = new Parser();

/** Blocks whose end Codex marks with a space (pulldown-cmark's End events it maps to ' '). */
const SPACED_ENDS = new Set(['paragraph', 'heading', 'block_quote', 'list', 'item']);

/**
 * An agent message's searchable text as Codex reads it for `thread/searchOccurrences`: the
 * markdown's text (code, inline and block HTML kept, markup and escapes gone), a space at soft
 * breaks, rules and block ends, whitespace collapsed. Pure.
 */
export const markdownSearchText = (markdown: string): string => {
  let text = '';
  const walker = parser.parse(trimWhitespace(markdown)).walker();
  for (let e = walker.next(); e !== null; e = walker.next()) {
    const { node, entering } = e;
    switch (node.type) {
      case 'text':
      case 'code':
      case 'html_inline':
      case 'html_block':
        text += node.literal ?? '';
        break;
      case 'code_block':
        text += `${node.literal ?? ''} `;
        break;
      case 'softbreak':
      case 'thematic_break':
        text += ' ';
        break;
      default:
        if (!entering && SPACED_ENDS.has(node.type)) text += ' ';
    }
  }
  return collapseWhitespace(text);
};
