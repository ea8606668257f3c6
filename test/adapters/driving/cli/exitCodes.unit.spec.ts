import { expect } from 'chai';
import type { EngineError } from '../../../../domain/errors.js';
import {
  conflict,
  corrupt,
  decodeError,
  invalidArgument,
  ioError,
  isEngineError,
  notFound,
  rejected,
  timeout,
  unsupported,
} from '../../../../domain/errors.js';
import { EXIT, exitCodeOf } from '../../../../adapters/driving/cli/exitCodes.js';

describe('CLI exit codes: one table for every command', () => {
  const cases: ReadonlyArray<[EngineError, number]> = [
    [invalidArgument('--limit', 'not a number'), EXIT.badRequest],
    [notFound('thread', 'x'), EXIT.badRequest],
    [rejected('thread/revert only supports paginated threads'), EXIT.badRequest],
    [conflict('/h/r.jsonl', { ordinal: 1, byteOffset: 10 }, { ordinal: 2, byteOffset: 20 }), EXIT.conflict],
    [decodeError('/h/r.jsonl', 3, 30, 'bad'), EXIT.failed],
    [corrupt('/h/r.jsonl', 0, 'bad'), EXIT.failed],
    [unsupported('index written by a newer rollout-engine', 99), EXIT.failed],
    [ioError('/h', 'open', 'EACCES', 'denied'), EXIT.failed],
    [timeout('index lease', 1000), EXIT.failed],
  ];

  it('maps each error tag to its documented code (2: the request, 4: another writer, 1: the engine or the files)', () => {
    for (const [e, code] of cases) expect(exitCodeOf(e), e._tag).to.equal(code);
    expect(new Set(cases.map(([e]) => e._tag)).size, 'every tag of the union is covered').to.equal(9);
  });

  it('isEngineError knows every tag, Rejected included, and nothing else', () => {
    for (const [e] of cases) expect(isEngineError(e), e._tag).to.equal(true);
    expect(isEngineError({ _tag: 'Nope' })).to.equal(false);
    expect(isEngineError(Object.assign(new Error('x'), { _tag: 'NotFound' }))).to.equal(false);
    expect(isEngineError(null)).to.equal(false);
  });
});
