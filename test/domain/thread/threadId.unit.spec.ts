import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { checkedThreadId, isFileThreadId, uuidSyntaxError } from '../../../domain/thread/threadId.js';

const T = 'dddddddd-0000-7000-8000-000000000001';

describe('thread ids: the one syntax rule', () => {
  it('thread ids refused in the uuid crate’s words', () => {
    expect(uuidSyntaxError(T)).to.equal(undefined);
    expect(uuidSyntaxError('dddddddd000070008000000000000001')).to.equal(undefined);
    expect(uuidSyntaxError('nope')).to.equal(
      'invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1',
    );
    expect(uuidSyntaxError('abc')).to.equal('invalid length: expected length 32 for simple format, found 3');
    expect(uuidSyntaxError('dddddddd-0000-7000-8000')).to.equal('invalid group count: expected 5, found 4');
    expect(uuidSyntaxError('dddddddd-000-7000-8000-000000000001')).to.equal(
      'invalid group length in group 1: expected 4, found 3',
    );
  });

  it('the management methods refuse in their own words: invalid <what> id as Rejected, or as InvalidArgument for params, each saying which id (the CLI routes its hint on it)', () => {
    expect(checkedThreadId(T, 'thread')).to.deep.equal(E.right(T));
    expect(checkedThreadId('abc', 'thread')).to.deep.equal(
      E.left({
        _tag: 'Rejected',
        reason: 'invalid thread id: invalid length: expected length 32 for simple format, found 3',
        thread: { id: 'abc', refused: 'malformedId' },
      }),
    );
    expect(checkedThreadId('abc', 'session')).to.deep.equal(
      E.left({
        _tag: 'Rejected',
        reason: 'invalid session id: invalid length: expected length 32 for simple format, found 3',
        thread: { id: 'abc', refused: 'malformedId' },
      }),
    );
    expect(checkedThreadId('abc', 'thread', 'params')).to.deep.equal(
      E.left({
        _tag: 'InvalidArgument',
        field: 'thread id',
        reason: 'invalid length: expected length 32 for simple format, found 3',
        thread: { id: 'abc', refused: 'malformedId' },
      }),
    );
  });

  it('only the hyphenated form can name a rollout file', () => {
    expect(isFileThreadId(T)).to.equal(true);
    expect(isFileThreadId(T.toUpperCase())).to.equal(true);
    expect(isFileThreadId('dddddddd000070008000000000000001')).to.equal(false);
    expect(isFileThreadId(`{${T}}`)).to.equal(false);
    expect(isFileThreadId(`urn:uuid:${T}`)).to.equal(false);
    expect(isFileThreadId('../../../../../../../../../etc/passwd')).to.equal(false);
    expect(isFileThreadId('dddddddd-0000-7000-8000-00000000000g')).to.equal(false);
    expect(isFileThreadId('dddddddd-00000-700-8000-000000000001')).to.equal(false);
  });
});
