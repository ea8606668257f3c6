import { expect } from 'chai';
import * as fc from 'fast-check';
import { JsonText, wholeJson, wholeJsonBytes } from '../../../../adapters/driving/rpc/streamedJson.js';
import { answerMessage, unchangingAnswer } from '../../../../adapters/driving/rpc/unchangingAnswers.js';

/** A shape that counts its calls and serializations (`JSON.stringify` calls a `toJSON` once per serialization). */
const countedShape = (wrap: (r: unknown) => unknown = (r) => r) => {
  const counts = { shaped: 0, serialized: 0 };
  const shape = (r: unknown): unknown => {
    counts.shaped += 1;
    return {
      toJSON: () => {
        counts.serialized += 1;
        return wrap(r);
      },
    };
  };
  return { counts, shape };
};

const identity = (r: unknown): unknown => r;

describe('unchangingAnswers: an answer made of a result that never changes', () => {
  it('is the text and bytes JSON.stringify gives for the message, whatever the id and the result', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
        fc.dictionary(fc.string(), fc.jsonValue()),
        (id, result) => {
          const message = answerMessage(id, unchangingAnswer({ ...result }), 'shape', identity);
          const expected = JSON.stringify({ jsonrpc: '2.0', id, result });
          expect(message).to.be.instanceOf(JsonText);
          expect(wholeJson(message)).to.equal(expected);
          expect(wholeJsonBytes(message).equals(Buffer.from(expected, 'utf8'))).to.equal(true);
        },
      ),
    );
  });

  it('is shaped and serialized once per shape, however many answers carry it', () => {
    const result = unchangingAnswer({ data: ['a', 'é', '\u2028', '😀'] });
    const { counts, shape } = countedShape((r) => ({ ...(r as object), shaped: true }));
    const first = wholeJson(answerMessage(1, result, 'thread/list 0.169.0', shape));
    const second = wholeJsonBytes(answerMessage('two', result, 'thread/list 0.169.0', shape));
    expect(counts).to.deep.equal({ shaped: 1, serialized: 1 });
    const data = ['a', 'é', '\u2028', '😀'];
    expect(JSON.parse(first)).to.deep.equal({ jsonrpc: '2.0', id: 1, result: { data, shaped: true } });
    expect(JSON.parse(second.toString('utf8'))).to.deep.equal({
      jsonrpc: '2.0',
      id: 'two',
      result: { data, shaped: true },
    });
    // Another version's shape is its own.
    wholeJson(answerMessage(3, result, 'thread/list 0.171.0', shape));
    expect(counts).to.deep.equal({ shaped: 2, serialized: 2 });
  });

  it('answers a marked result whose shape holds a stream as that shape, shaped once', () => {
    const result = unchangingAnswer({ turns: [] });
    let shaped = 0;
    const stream = (async function* () {})();
    const message = answerMessage(5, result, 'thread/read 0.169.0', (r) => {
      shaped += 1;
      return { ...(r as object), turns: stream };
    });
    expect(message).to.not.be.instanceOf(JsonText);
    expect((message as { result: { turns: unknown } }).result.turns).to.equal(stream);
    expect(shaped).to.equal(1);
  });

  it('leaves a result not marked (a copy of a marked one too) to be shaped and serialized at each answer', () => {
    const marked = unchangingAnswer({ data: [1] });
    const copy = { ...marked };
    const { counts, shape } = countedShape();
    const message = answerMessage(3, copy, 'shape', shape);
    expect(message).to.not.be.instanceOf(JsonText);
    expect(JSON.parse(wholeJson(message))).to.deep.equal({ jsonrpc: '2.0', id: 3, result: { data: [1] } });
    wholeJson(answerMessage(4, copy, 'shape', shape));
    expect(counts).to.deep.equal({ shaped: 2, serialized: 2 });
  });
});
