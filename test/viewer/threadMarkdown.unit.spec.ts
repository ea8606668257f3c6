// The Markdown export's one-line texts (title, facts, statuses, paths, errors): escaped where
// Markdown would make markup of them and nowhere else (issue 55: a thread id came out as
// `01a2093a\-e666\-…`). Checked against commonmark, the renderer the viewer ships.
import { expect } from 'chai';
import { Parser } from 'commonmark';
import fc from 'fast-check';
import { importViewerModule } from '../fixtures/viewerModule.js';

type MarkdownInline = (text: string) => string;

/**
 * What commonmark makes of `markdown`: the kinds of node it holds besides the document, its
 * paragraphs or headings and plain text (none expected from the text), and the text it shows.
 */
const rendered = (markdown: string): { markup: string[]; text: string } => {
  const markup: string[] = [];
  let text = '';
  const walker = new Parser().parse(markdown).walker();
  for (let step = walker.next(); step !== null; step = walker.next()) {
    if (!step.entering) continue;
    const { node } = step;
    if (node.type === 'text') text += node.literal ?? '';
    else if (!['document', 'paragraph', 'heading', 'strong'].includes(node.type)) markup.push(node.type);
  }
  return { markup, text };
};

/** The text a reader should see: line breaks as spaces, blanks at either end gone (as a paragraph and a heading drop them). */
const seen = (text: string): string => text.replace(/[\r\n]+/g, ' ').replace(/^[ \t]+|[ \t]+$/g, '');

describe('viewer · Markdown export escaping (markdownInline)', () => {
  let markdownInline: MarkdownInline;
  before(async () => {
    ({ markdownInline } = await importViewerModule<{ markdownInline: MarkdownInline }>('threadMarkdown'));
  });

  it('leaves ids, paths, times and prose as written: nothing there would be markup', () => {
    for (const text of [
      '01a2093a-e666-7000-8000-000000000001',
      '01a2093a-e666-7000-8000-000000000001 · 2026-11-21 14:00:00 · gpt-5.1-codex · /home/dev/my_project/src-2/file.test.ts',
      'completed',
      'update /work/README.txt',
      'snake_case_name and e-mail (a note): 3.5 GB, 100% done! #42 is a ticket',
      'x = 1 + 2 - 3 > 0 | y',
    ])
      expect(markdownInline(text), text).to.equal(text);
  });

  it('escapes what would format: emphasis, code, links, HTML, entities, strikethrough, and a line that would open a block', () => {
    const cases: Array<[string, string]> = [
      ['**bold** and *em*', '\\*\\*bold\\*\\* and \\*em\\*'],
      ['_em_ but snake_case', '\\_em\\_ but snake_case'],
      ['run `ls`', 'run \\`ls\\`'],
      ['[x](javascript:alert(1))', '\\[x\\](javascript:alert(1))'],
      ['<script>alert(1)</script>', '\\<script>alert(1)\\</script>'],
      ['a &amp; b & c', 'a \\&amp; b & c'],
      ['~~gone~~', '\\~\\~gone\\~\\~'],
      ['back\\slash', 'back\\\\slash'],
      ['# heading', '\\# heading'],
      ['- item', '\\- item'],
      ['---', '\\---'],
      ['+ item', '\\+ item'],
      ['> quote', '\\> quote'],
      ['1. first', '1\\. first'],
      ['12) twelfth', '12\\) twelfth'],
      ['| a | b |', '\\| a | b |'],
      ['    indented code', 'indented code'],
      ['first\nsecond', 'first second'],
      ['closing #', 'closing \\#'],
    ];
    for (const [text, escaped] of cases) expect(markdownInline(text), text).to.equal(escaped);
  });

  it('property: any text, at the start of a line, in a heading or after a label, renders as exactly that text and nothing else', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '#',
        '-',
        '+',
        '*',
        '_',
        '`',
        '~',
        '>',
        '<',
        '[',
        ']',
        '(',
        ')',
        '!',
        '\\',
        '&',
        '&amp;',
        '&#42;',
        '|',
        '=',
        '1.',
        '2)',
        ' ',
        '\t',
        '\n',
        'a',
        'é',
        '9',
      ),
      fc.string({ maxLength: 6 }).map((s) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')),
    );
    const text = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (t) => {
        const escaped = markdownInline(t);
        for (const [markdown, prefix] of [
          [escaped, ''],
          [`# ${escaped}`, ''],
          [`**Error:** ${escaped}`, 'Error:'],
        ] as const) {
          const got = rendered(markdown);
          expect(got.markup, markdown).to.deep.equal([]);
          expect(got.text, markdown).to.equal(`${prefix}${prefix === '' || seen(t) === '' ? '' : ' '}${seen(t)}`);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});
