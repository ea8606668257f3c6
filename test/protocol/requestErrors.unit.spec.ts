import { expect } from 'chai';
import { codexMethodVariantsAt, unknownMethodRefusal } from '../../protocol/requestErrors.js';
import { INVALID_REQUEST, METHOD_NOT_FOUND } from '../../protocol/jsonRpc.js';
import * as E from 'fp-ts/lib/Either.js';
import { checkedParams } from '../../protocol/threadIdRule.js';
import { threadItemsListMethod, threadItemsReadMethod } from '../../protocol/items.js';
import { rejected, renderError } from '../../domain/errors.js';

describe('unit · protocol/requestErrors: a method no Codex version or no server knows, in that version’s words', () => {
  it('0.171.0 lists the variants it added where it lists them; 0.169.0 lists none of them', () => {
    const at169 = codexMethodVariantsAt('0.169.0');
    const at171 = codexMethodVariantsAt('0.171.0');
    const added = [
      'thread/search/stream',
      'thread/search/cancel',
      'thread/search/stream/cancel',
      'thread/realtime/list',
      'modelProvider/default/set',
    ];
    expect(at171.filter((n) => !at169.includes(n))).to.deep.equal(added);
    expect(at169.filter((n) => !at171.includes(n))).to.deep.equal([]);
    const after = (name: string): string => at171[at171.indexOf(name) + 1]!;
    expect(after('thread/search')).to.equal('thread/search/stream');
    expect(after('thread/search/stream/cancel')).to.equal('thread/searchOccurrences');
    expect(after('thread/timeline/list')).to.equal('thread/realtime/list');
    expect(after('modelProvider/config/write')).to.equal('modelProvider/default/set');
    expect(new Set(at171).size).to.equal(at171.length);
  });

  it("a method the version has, not served here, is -32601; one it has not is -32600 with that version's list", () => {
    expect(unknownMethodRefusal('thread/realtime/list', '0.171.0').code).to.equal(METHOD_NOT_FOUND);
    const at169 = unknownMethodRefusal('thread/realtime/list', '0.169.0');
    expect(at169.code).to.equal(INVALID_REQUEST);
    expect(at169.message).to.match(
      /^Invalid request: unknown variant `thread\/realtime\/list`, expected one of `initialize`, /,
    );
    expect(at169.message).to.not.contain('`modelProvider/default/set`');
    expect(unknownMethodRefusal('thread/nosuch', '0.171.0').message).to.contain(
      '`thread/search`, `thread/search/stream`, `thread/search/cancel`',
    );
  });
});

describe('unit · protocol/threadIdRule checkedParams: what Codex refuses before it reads the thread id', () => {
  it("thread/items/read's item id count and thread/items/list's item anchor without its turn come before a thread id that is no UUID (measured by the fuzzer)", () => {
    const badId = '[object Object]';
    expect(checkedParams(threadItemsReadMethod, { threadId: badId, turnId: 't', itemIds: [] })).to.deep.equal(
      E.left(rejected('itemIds must contain 1 to 100 IDs')),
    );
    const anchored = checkedParams(threadItemsListMethod, { threadId: badId, cursor: { type: 'item', itemId: 'x' } });
    expect(E.isLeft(anchored) && anchored.left).to.deep.include({
      _tag: 'InvalidArgument',
      field: 'turnId',
      reason: 'turnId is required when cursor is an item anchor',
    });
    // Otherwise the thread id first.
    const idFirst = checkedParams(threadItemsReadMethod, { threadId: badId, turnId: 't', itemIds: ['a'] });
    expect(E.isLeft(idFirst) && renderError(idFirst.left)).to.match(/^invalid thread id/);
  });
});
