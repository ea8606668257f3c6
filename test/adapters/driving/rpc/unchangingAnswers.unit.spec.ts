import { expect } from 'chai';
import * as fc from 'fast-check';
import { JsonText, wholeJson } from '../../../../adapters/driving/rpc/streamedJson.js';
import { answerMessage, unchangingAnswer } from '../../../../adapters/driving/rpc/unchangingAnswers.js';

/** A result whose serializations are counted (`JSON.stringify` calls its `toJSON` once per serialization). */
const counted = (value: unknown) => {
  const result = {
    serialized: 0,
    toJSON() {
      result.serialized += 1;
      return value;
    },
  };
  return result;
};

describe('unchangingAnswers: an answer made of a result that never changes', () => {
  it('is the text JSON.stringify gives for the message, whatever the id and the result', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
        fc.dictionary(fc.string(), fc.jsonValue()),
        (id, result) => {
          const message = answerMessage(id, unchangingAnswer({ ...result }));
          expect(message).to.be.instanceOf(JsonText);
          expect(wholeJson(message)).to.equal(JSON.stringify({ jsonrpc: '2.0', id, result }));
        },
      ),
    );
  });

  it('serializes its result once, however many answers carry it', () => {
    const result = unchangingAnswer(counted({ data: ['a', 'é', '\u2028'] }));
    const first = wholeJson(answerMessage(1, result));
    const second = wholeJson(answerMessage('two', result));
    expect(result.serialized).to.equal(1);
    expect(JSON.parse(first)).to.deep.equal({ jsonrpc: '2.0', id: 1, result: { data: ['a', 'é', '\u2028'] } });
    expect(JSON.parse(second)).to.deep.equal({ jsonrpc: '2.0', id: 'two', result: { data: ['a', 'é', '\u2028'] } });
  });

  it('leaves a result not marked (a copy of a marked one too) to be serialized at each answer', () => {
    const marked = unchangingAnswer({ data: [1] });
    const copy = counted({ ...marked });
    const message = answerMessage(3, copy);
    expect(message).to.deep.equal({ jsonrpc: '2.0', id: 3, result: copy });
    wholeJson(message);
    wholeJson(answerMessage(4, copy));
    expect(copy.serialized).to.equal(2);
  });
});
