import { expect } from 'chai';
import { heldByCodex, isHeldByCodex, rejected } from '../../domain/errors.js';

describe('the upstream route reads a typed cause, not words (isHeldByCodex)', () => {
  const words =
    'thread 0199a213-81c0-7800-8aa1-bbab2a035a53 is open in a running Codex (pid 42 holds its writer lock); close it there';

  it('a refusal made as held by Codex routes, whatever its words say', () => {
    expect(isHeldByCodex(heldByCodex(words))).to.equal(true);
    expect(isHeldByCodex(heldByCodex('refused'))).to.equal(true);
  });

  it("a refusal that only says the words (another method's message, a client's text echoed back) does not route", () => {
    expect(isHeldByCodex(rejected(words))).to.equal(false);
    expect(isHeldByCodex({ _tag: 'NotFound', what: 'thread', id: 'is open in a running Codex' })).to.equal(false);
  });
});
