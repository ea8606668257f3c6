import { expect } from 'chai';
import {
  MAX_MESSAGE_DEPTH,
  MAX_MESSAGE_VALUES,
  messageBoundsRefusal,
} from '../../../../adapters/driving/rpc/messageBounds.js';

const refusal = (text: string): Promise<string | null> => messageBoundsRefusal(Buffer.from(text, 'utf8'));

/** A request whose params hold `levels` nested arrays: `levels + 2` deep in all. */
const request = (levels: number): string =>
  `{"id":1,"method":"thread/list","params":{"x":${'['.repeat(levels)}${']'.repeat(levels)}}}`;

describe('messageBounds: nesting and values checked on the bytes before parsing', () => {
  it('takes 127 levels and refuses the 128th, as Codex (serde_json) does, naming the byte', async () => {
    expect(MAX_MESSAGE_DEPTH).to.equal(127);
    expect(await refusal(request(125))).to.equal(null);
    expect(await refusal(request(126))).to.equal('recursion limit exceeded: nested deeper than 127 levels at byte 171');
  });

  it('counts only what is outside strings: brackets, commas, escaped quotes and multi-byte characters inside a string are text', async () => {
    const inString = JSON.stringify({ id: 1, method: 'm', params: { text: `ü"\\${'[{,'.repeat(200_000)}` } });
    expect(await refusal(inString)).to.equal(null);
    // An escaped backslash ends before the quote: the string ends there and the brackets after it count.
    expect(await refusal(`["\\\\"${',['.repeat(130)}`)).to.match(/^recursion limit exceeded/);
  });

  it(`refuses more than ${MAX_MESSAGE_VALUES} values (elements, members, containers), whatever their depth`, async () => {
    const values = (n: number): string => `[${'0,'.repeat(n - 1)}0]`;
    expect(await refusal(values(MAX_MESSAGE_VALUES - 1))).to.equal(null);
    expect(await refusal(values(MAX_MESSAGE_VALUES + 1))).to.equal(
      `a message of more than ${MAX_MESSAGE_VALUES} values is over the limit`,
    );
    expect(await refusal(`[${'{},'.repeat(MAX_MESSAGE_VALUES)}{}]`)).to.match(/values is over the limit/);
  });

  it('leaves what is not JSON to the parser: unbalanced or garbage bytes are not refused here', async () => {
    expect(await refusal(']]]]}}}{')).to.equal(null);
    expect(await refusal('not json')).to.equal(null);
    expect(await refusal('')).to.equal(null);
  });
});
