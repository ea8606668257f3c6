// The readable view of a thread (`read`, `turns`, `items`): one line per item, its text's further
// lines as a block indented under the text's column (never at column 0, where items and turns
// start), a name or preview or error on its own line with its breaks shown as ↵.
import { expect } from 'chai';
import fc from 'fast-check';
import { itemLines, threadHeader, turnLines } from '../../../../adapters/driving/cli/renderHistory.js';
import type { ThreadItem } from '../../../../domain/thread/threadItem.js';
import type { KnownTurnItem } from '../../../../domain/rollout/kinds/itemCompleted.js';
import { mapPaginatedItem } from '../../../../domain/thread/mapItem.js';
import type { Turn } from '../../../../domain/thread/turn.js';

/** Items as the engine makes them of Codex's paginated `item_completed` items (`mapPaginatedItem`). */
const itemOf = (item: KnownTurnItem): ThreadItem => ({
  ...mapPaginatedItem(item),
  startedAtMs: null,
  completedAtMs: null,
});
const agentMessage = (text: string): ThreadItem =>
  itemOf({ type: 'AgentMessage', id: 'm1', content: [{ type: 'Text', text }] });
const userMessage = (text: string): ThreadItem =>
  itemOf({ type: 'UserMessage', id: 'u1', content: [{ type: 'text', text }] });

const turn = (items: ThreadItem[], error: string | null = null): Turn => ({
  id: 't1',
  rootTurnId: null,
  items,
  itemsView: 'full',
  status: error === null ? 'completed' : 'failed',
  error: error === null ? null : { message: error, codexErrorInfo: null, additionalDetails: null, misalignment: null },
  startedAt: null,
  completedAt: null,
  durationMs: null,
});

describe('renderHistory: a thread for a person', () => {
  it('an item is one line; the rest of a multi-line text is a block indented under its first line’s text', () => {
    expect(itemLines(agentMessage('Done. Here is the diff:\n\n```ts\nconst a = "b";\n```\n'))).to.deep.equal([
      '    agentMessage       Done. Here is the diff:',
      '',
      '                       ```ts',
      '                       const a = "b";',
      '                       ```',
    ]);
    // `items` puts the turn id first: the block is indented under the text all the same.
    expect(itemLines(userMessage('one\ntwo'), 't1  ')).to.deep.equal([
      't1  userMessage        one',
      '                       two',
    ]);
    expect(itemLines(userMessage('one line'))).to.deep.equal(['    userMessage        one line']);
  });

  it('a turn: its line (an error’s breaks shown as ↵), then each item’s lines', () => {
    expect(
      turnLines(turn([userMessage('Fix it.\nPlease.'), agentMessage('No.')], 'stream error:\nretry 5/5')),
    ).to.deep.equal([
      '  turn t1  failed: stream error: ↵ retry 5/5',
      '    userMessage        Fix it.',
      '                       Please.',
      '    agentMessage       No.',
    ]);
  });

  it('the header: a multi-line name and preview on their own line, breaks shown as ↵, the name’s quotes closed', () => {
    const header = threadHeader({
      id: 'th',
      name: 'two\nlines "quoted',
      historyMode: 'paginated',
      path: '/p',
      cwd: '/c',
      preview: 'Fix the "parser".\nSteps:\n  1. run',
    });
    expect(header).to.deep.equal([
      'th  "two ↵ lines "quoted"  (paginated)',
      '  path:    /p',
      '  cwd:     /c',
      '  preview: Fix the "parser". ↵ Steps: ↵ 1. run',
    ]);
  });

  it('property: whatever the texts hold, every line but a turn’s or an item’s first starts indented past the item’s type, and none holds a line break', () => {
    const text = fc
      .array(fc.constantFrom('a', ' ', '\n', '\r\n', '\r', '"', '\u001b', '\u2028', 'é'), { maxLength: 30 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), text), { maxLength: 5 }), (texts) => {
        const lines = turnLines(turn(texts.map(([agent, t]) => (agent ? agentMessage(t) : userMessage(t)))));
        expect(lines.every((l) => !/[\n\r]/.test(l))).to.equal(true);
        const starts = lines.filter((l) => /^ {0,4}\S/.test(l));
        expect(starts).to.have.length(1 + texts.length);
        for (const l of lines.slice(1))
          expect(l === '' || /^ {4}(userMessage|agentMessage)( |$)/.test(l) || /^ {23}/.test(l), l).to.equal(true);
      }),
      { numRuns: 1_000 },
    );
  });
});
