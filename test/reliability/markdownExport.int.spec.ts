// Issue 39 (item 11), the viewer's Markdown export: a thread's text went into the file as Markdown,
// so raw HTML (`<script>`, `<img onerror>`) and `javascript:` links came out as markup wherever the
// file is rendered. The export now shows every text as text, as the HTML export does: rendered
// by commonmark, no tag, link or image of the thread's text survives.
import { expect } from 'chai';
import { HtmlRenderer, Parser } from 'commonmark';
import fc from 'fast-check';
import type { Thread } from '../../domain/thread/thread.js';
import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';
import { importViewerModule } from '../fixtures/viewerModule.js';
import { reportArea } from './areaSummary.js';

type ThreadMarkdown = (thread: Thread, turns: ReadonlyArray<Turn>) => string;

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  '![i](javascript:alert(1))',
  '<javascript:alert(1)>',
  '[r]: javascript:alert(1)\n\n[r]',
  '<a href="javascript:alert(1)">a</a>',
  '```\n</code><script>x</script>',
  '<!-- c --><div>',
  '&lt;script&gt;',
  '\\<b>',
];

const thread = (title: string, cwd: string): Thread =>
  ({ id: 't-1', name: title, preview: title, createdAt: 1_780_000_000, model: 'gpt-5', cwd }) as unknown as Thread;

const turnOf = (texts: ReadonlyArray<string>, error: string | null): Turn =>
  ({
    id: 'turn-1',
    status: 'completed',
    startedAt: 1_780_000_000,
    error: error === null ? null : { message: error },
    items: texts.flatMap((t, i): ThreadItem[] => {
      const kinds = [
        { type: 'userMessage', id: `u${i}`, content: [{ type: 'text', text: t }] },
        { type: 'agentMessage', id: `a${i}`, text: t },
        { type: 'reasoning', id: `r${i}`, summary: [t], content: [t] },
        { type: 'commandExecution', id: `c${i}`, command: t, aggregatedOutput: t, exitCode: 0 },
        { type: 'enteredReviewMode', id: `e${i}`, review: t },
        { type: 'exitedReviewMode', id: `x${i}`, review: t },
      ];
      return [kinds[i % kinds.length] as unknown as ThreadItem];
    }),
  }) as unknown as Turn;

const figures = { trials: 0, rawTags: 0, links: 0, javascriptUrls: 0 };

/** What of the thread's text came out as markup once the file is rendered: HTML nodes, links, images, and `javascript:` in an attribute. */
const markupOf = (markdown: string): { html: number; links: number; javascriptUrls: number } => {
  const doc = new Parser().parse(markdown);
  let html = 0;
  let links = 0;
  const walker = doc.walker();
  for (let e = walker.next(); e !== null; e = walker.next()) {
    if (!e.entering) continue;
    if (e.node.type === 'html_inline' || e.node.type === 'html_block') html += 1;
    if (e.node.type === 'link' || e.node.type === 'image') links += 1;
  }
  const rendered = new HtmlRenderer().render(doc);
  const javascriptUrls = (rendered.match(/(href|src)="javascript:/gi) ?? []).length;
  return { html, links, javascriptUrls };
};

const check = (markdown: string): void => {
  figures.trials += 1;
  const found = markupOf(markdown);
  figures.rawTags += found.html;
  figures.links += found.links;
  figures.javascriptUrls += found.javascriptUrls;
  expect(found, markdown).to.deep.equal({ html: 0, links: 0, javascriptUrls: 0 });
};

describe('reliability · Markdown export (hostile thread text)', function () {
  this.timeout(120_000);
  let threadMarkdown: ThreadMarkdown;
  before(async () => {
    ({ threadMarkdown } = await importViewerModule<{ threadMarkdown: ThreadMarkdown }>('threadMarkdown'));
  });
  after(() => reportArea('markdown export', figures));

  it('<script>, <img onerror> and javascript: links in every kind of text are text, not markup', () => {
    for (const hostile of HOSTILE) {
      const md = threadMarkdown(thread(hostile, hostile), [turnOf(Array(6).fill(hostile), hostile)]);
      check(md);
    }
    // Still there to read, as text.
    const rendered = new HtmlRenderer().render(
      new Parser().parse(threadMarkdown(thread('t', '/'), [turnOf(['<script>alert(1)</script>'], null)])),
    );
    expect(rendered).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('property: no exported Markdown, rendered by commonmark, holds a raw tag, a link or a javascript: URL from the thread', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        ...HOSTILE,
        '`',
        '``',
        '```',
        '~~~',
        '\n',
        '    ',
        '<',
        '>',
        '[',
        ']',
        '(',
        ')',
        '!',
        '\\',
        ':',
        '&',
      ),
      fc.string({ maxLength: 12 }),
    );
    const text = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        text,
        text,
        fc.array(text, { minLength: 1, maxLength: 6 }),
        fc.option(text, { nil: null }),
        (title, cwd, texts, error) => check(threadMarkdown(thread(title, cwd), [turnOf(texts, error)])),
      ),
      { numRuns: 2_000 },
    );
  });
});
